package org.skein.demo.core;

/**
 * Receives the node's events through {@link SkeinClient#addEvents}. The
 * methods are called on a thread the node owns (never the UI thread), one at
 * a time and in order: hand the event on and return quickly. Override only
 * what you need.
 */
public abstract class SkeinEvents {
    /** A new post in the feed of the logged-in account. */
    public void onPost(PostItem post) {}

    /**
     * The author of a post in the feed deleted it: remove it from the
     * screen. Only its id, author, authorKey and seq are set.
     */
    public void onDelete(PostItem post) {}

    /** A new follower of the logged-in account. */
    public void onFollower(UserItem user) {}

    /** Someone stopped following the logged-in account. */
    public void onUnfollow(UserItem user) {}

    /** A new notification. */
    public void onNotification(NotificationItem notification) {}

    /** The number of connected peers changed (and once when the node starts or the events are added). */
    public void onConnectivity(long peers) {}

    /** The node was started (called on the thread that started it, after the start). */
    public void onStarted() {}
}
