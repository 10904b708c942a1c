package org.skein.demo.core;

/** One notification of the account. Immutable. */
public final class NotificationItem {
    public final String id;
    public final String kind; // "follower", "unfollow", "reply", "repost", "mention" or "fork"
    public final String fromName;
    public final String fromKey;
    public final String postId; // "" if none
    public final String postText; // the post's own text: "" for a repost (see post)
    public final long timeMillis;
    public final boolean read;
    /** The reply, repost or mentioning post, if this phone holds it; null otherwise. */
    public final PostItem post;

    public NotificationItem(String id, String kind, String fromName, String fromKey,
                            String postId, String postText, long timeMillis, boolean read) {
        this(id, kind, fromName, fromKey, postId, postText, timeMillis, read, null);
    }

    public NotificationItem(String id, String kind, String fromName, String fromKey,
                            String postId, String postText, long timeMillis, boolean read, PostItem post) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a notification needs an ID");
        }
        this.id = id;
        this.kind = PostItem.nonNull(kind);
        this.fromName = PostItem.nonNull(fromName);
        this.fromKey = PostItem.nonNull(fromKey);
        this.postId = PostItem.nonNull(postId);
        this.postText = PostItem.nonNull(postText);
        this.timeMillis = timeMillis;
        this.read = read;
        this.post = post;
    }

    /** A one-line description to show, e.g. "@bob followed you". */
    public String describe() {
        String who = fromName.isEmpty() ? "someone" : "@" + fromName;
        String text = post != null ? post.displayText() : postText;
        switch (kind) {
            case "follower":
                return who + " followed you";
            case "unfollow":
                return who + " unfollowed you";
            case "reply":
                return who + " replied: " + text;
            case "repost":
                return who + " reposted: " + text;
            case "mention":
                return who + " mentioned you: " + text;
            case "fork":
                return "Warning: " + who + "'s log forked (the same account wrote from two devices)";
            default:
                return who + ": " + kind;
        }
    }

    /** The same notification, marked read. */
    public NotificationItem asRead() {
        return read ? this : new NotificationItem(id, kind, fromName, fromKey, postId, postText, timeMillis, true, post);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationItem && ((NotificationItem) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "NotificationItem{" + id + " " + describe() + "}";
    }
}
