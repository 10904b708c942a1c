package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One post, reply or repost, copied out of the binding's
 * {@code org.skein.mobile.Post} so that the UI never calls into Go to draw a
 * row. Immutable.
 *
 * <p>A repost has no text of its own: it shares {@link #repostOf}, the
 * original post (null if the node gave none; {@link #unavailable} set on it
 * if this phone does not hold it or its author deleted it).
 */
public final class PostItem {
    public static final String POST = "post";
    public static final String REPLY = "reply";
    public static final String REPOST = "repost";

    public final String id;
    public final String kind; // POST, REPLY or REPOST
    public final String author; // username, "" if unknown
    public final String authorKey;
    public final String text; // "" for a repost: see repostOf
    public final long seq;
    public final long timeMillis;
    public final String replyToId; // "" unless a reply
    public final String replyToAuthor; // the replied-to post's author, "" if unknown or not a reply
    public final String repostOfId; // "" unless a repost
    public final PostItem repostOf; // the shared original, null unless a repost
    /** Set on a referenced post this phone does not hold, or that its author deleted. */
    public final boolean unavailable;
    /** The images attached, in order; empty if none. Unmodifiable. */
    public final List<ImageItem> images;

    public PostItem(String id, String kind, String author, String authorKey, String text,
                    long seq, long timeMillis, String replyToId, String replyToAuthor,
                    String repostOfId, PostItem repostOf, boolean unavailable) {
        this(id, kind, author, authorKey, text, seq, timeMillis, replyToId, replyToAuthor, repostOfId, repostOf,
                unavailable, Collections.<ImageItem>emptyList());
    }

    public PostItem(String id, String kind, String author, String authorKey, String text,
                    long seq, long timeMillis, String replyToId, String replyToAuthor,
                    String repostOfId, PostItem repostOf, boolean unavailable, List<ImageItem> images) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a post needs an ID");
        }
        this.id = id;
        this.kind = nonNull(kind);
        this.author = nonNull(author);
        this.authorKey = nonNull(authorKey);
        this.text = nonNull(text);
        this.seq = seq;
        this.timeMillis = timeMillis;
        this.replyToId = nonNull(replyToId);
        this.replyToAuthor = nonNull(replyToAuthor);
        this.repostOfId = nonNull(repostOfId);
        this.repostOf = repostOf;
        this.unavailable = unavailable;
        this.images = images == null || images.isEmpty() ? Collections.<ImageItem>emptyList()
                : Collections.unmodifiableList(new ArrayList<ImageItem>(images));
    }

    /** A post, reply or repost without the referenced posts' details, for tests and fakes. */
    public PostItem(String id, String kind, String author, String authorKey, String text,
                    long seq, long timeMillis, String replyToId, String repostOfId) {
        this(id, kind, author, authorKey, text, seq, timeMillis, replyToId, "", repostOfId, null, false);
    }

    /** A plain post, for tests and fakes. */
    public static PostItem of(String id, String author, String text, long timeMillis) {
        return new PostItem(id, POST, author, "", text, 0, timeMillis, "", "");
    }

    /** A repost by author of original, for tests and fakes. */
    public static PostItem repostOf(String id, String author, long timeMillis, PostItem original) {
        return new PostItem(id, REPOST, author, "", "", 0, timeMillis, "", "", original.id, original, false);
    }

    public boolean isRepost() {
        return REPOST.equals(kind);
    }

    public boolean isReply() {
        return REPLY.equals(kind);
    }

    /** The name to show for the author: "@name", or a short key if the name is unknown. */
    public String byline() {
        return byline(author, authorKey);
    }

    static String byline(String name, String key) {
        if (!name.isEmpty()) {
            return "@" + name;
        }
        if (key.length() > 12) {
            return key.substring(0, 12) + "…";
        }
        return key.isEmpty() ? "unknown" : key;
    }

    /**
     * The ID a reply or a repost of this entry should name: the original's
     * for a repost (a reply goes to what was shared, not to the share), else
     * this post's own.
     */
    public String targetId() {
        return isRepost() && !repostOfId.isEmpty() ? repostOfId : id;
    }

    /** The author of {@link #targetId()}'s post, as a byline. */
    public String targetByline() {
        if (isRepost() && repostOf != null) {
            return repostOf.byline();
        }
        return byline();
    }

    /** Whether the shared original of a repost can be shown. */
    public boolean originalAvailable() {
        return repostOf != null && !repostOf.unavailable;
    }

    /**
     * The text to show in the post's row: its own text, or for a repost the
     * original's text, or a note that the original is gone.
     */
    public String displayText() {
        if (!isRepost()) {
            return text;
        }
        if (!originalAvailable()) {
            return "(the original post is not available: deleted by its author, or not on this phone)";
        }
        return repostOf.text;
    }

    /**
     * The line that says a post has images ("🖼 2 images"), for the images
     * of the post shown (a repost's original's); "" if it has none.
     */
    public String imageSummary() {
        List<ImageItem> shown = isRepost() && repostOf != null ? repostOf.images : images;
        int n = shown.size();
        if (n == 0) {
            return "";
        }
        return "\uD83D\uDDBC " + n + (n == 1 ? " image" : " images");
    }

    /** Whether the account with this key wrote this entry ("" is nobody). */
    public boolean isBy(String key) {
        return key != null && !key.isEmpty() && key.equals(authorKey);
    }

    /**
     * This entry once the post deletedId is gone: a repost of it keeps its
     * place but its original becomes unavailable; anything else is returned
     * as it is.
     */
    public PostItem withDeleted(String deletedId) {
        if (!isRepost() || !repostOfId.equals(deletedId) || (repostOf != null && repostOf.unavailable)) {
            return this;
        }
        PostItem gone = repostOf == null
                ? new PostItem(repostOfId, POST, "", "", "", 0, 0, "", "", "", null, true)
                : new PostItem(repostOf.id, repostOf.kind, repostOf.author, repostOf.authorKey, "",
                        repostOf.seq, repostOf.timeMillis, repostOf.replyToId, repostOf.replyToAuthor,
                        repostOf.repostOfId, null, true);
        return new PostItem(id, kind, author, authorKey, text, seq, timeMillis, replyToId, replyToAuthor,
                repostOfId, gone, unavailable, images);
    }

    static String nonNull(String s) {
        return s == null ? "" : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PostItem && ((PostItem) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "PostItem{" + id + " " + kind + " " + byline() + ": " + displayText() + "}";
    }
}
