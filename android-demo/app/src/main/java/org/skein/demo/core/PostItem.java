package org.skein.demo.core;

/**
 * One post of a feed, copied out of the binding's {@code org.skein.mobile.Post}
 * so that the UI never calls into Go to draw a row. Immutable.
 */
public final class PostItem {
    public final String id;
    public final String kind; // "post", "reply" or "repost"
    public final String author; // username, "" if unknown
    public final String authorKey;
    public final String text;
    public final long seq;
    public final long timeMillis;
    public final String replyToId; // "" unless a reply
    public final String repostOfId; // "" unless a repost

    public PostItem(String id, String kind, String author, String authorKey, String text,
                    long seq, long timeMillis, String replyToId, String repostOfId) {
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
        this.repostOfId = nonNull(repostOfId);
    }

    /** A plain post, for tests and fakes. */
    public static PostItem of(String id, String author, String text, long timeMillis) {
        return new PostItem(id, "post", author, "", text, 0, timeMillis, "", "");
    }

    /** The name to show for the author: "@name", or a short key if the name is unknown. */
    public String byline() {
        if (!author.isEmpty()) {
            return "@" + author;
        }
        if (authorKey.length() > 12) {
            return authorKey.substring(0, 12) + "…";
        }
        return authorKey.isEmpty() ? "unknown" : authorKey;
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
        return "PostItem{" + id + " " + byline() + ": " + text + "}";
    }
}
