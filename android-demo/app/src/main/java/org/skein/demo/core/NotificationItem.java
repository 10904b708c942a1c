package org.skein.demo.core;

/** One notification of the account. Immutable. */
public final class NotificationItem {
    public final String id;
    public final String kind; // "follower", "unfollow", "reply", "repost", "mention" or "fork"
    public final String fromName;
    public final String fromKey;
    public final String postId; // "" if none
    public final String postText;
    public final long timeMillis;
    public final boolean read;

    public NotificationItem(String id, String kind, String fromName, String fromKey,
                            String postId, String postText, long timeMillis, boolean read) {
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
    }

    /** A one-line description to show, e.g. "@bob followed you". */
    public String describe() {
        String who = fromName.isEmpty() ? "someone" : "@" + fromName;
        switch (kind) {
            case "follower":
                return who + " followed you";
            case "unfollow":
                return who + " unfollowed you";
            case "reply":
                return who + " replied: " + postText;
            case "repost":
                return who + " reposted: " + postText;
            case "mention":
                return who + " mentioned you: " + postText;
            case "fork":
                return "Warning: " + who + "'s log forked (the same account wrote from two devices)";
            default:
                return who + ": " + kind;
        }
    }

    /** The same notification, marked read. */
    public NotificationItem asRead() {
        return read ? this : new NotificationItem(id, kind, fromName, fromKey, postId, postText, timeMillis, true);
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
