package org.skein.demo.core;

import java.util.List;

/**
 * The node operations the presenters need. {@link NodeClient} implements it
 * over the gomobile binding ({@code org.skein.mobile.Node}); tests of pure
 * logic may use a small fake.
 *
 * <p>Every method except {@link #isStarted}, {@link #addEvents} and
 * {@link #removeEvents} may block on the network for up to 30 seconds:
 * never call them on the UI thread (the presenters run them on
 * {@link AppExecutors#background()}). Failures are exceptions whose message
 * can be shown to the user as it is.
 */
public interface SkeinClient {
    /** Starts the node unless it runs already. */
    void ensureStarted() throws Exception;

    /** Whether the node is started and not closed. Does not block. */
    boolean isStarted();

    /**
     * Makes the node join the network through these bootstrap addresses
     * (separated by spaces, commas or newlines). If they differ from the
     * current ones the node is restarted, which logs the account out.
     */
    void setBootstrapAddrs(String addrs) throws Exception;

    /** The bootstrap addresses in use, "" if none. */
    String bootstrapAddrs();

    /** The node's listen addresses, one per line, "" before start. */
    String addrs();

    UserItem register(String name, String password) throws Exception;

    UserItem login(String name, String password) throws Exception;

    void logout() throws Exception;

    PostItem post(String text) throws Exception;

    void follow(String name) throws Exception;

    void unfollow(String name) throws Exception;

    /** A page of the merged feed, newest first: pass "" for the first page. */
    PostPage feed(String cursor, int limit) throws Exception;

    List<UserItem> following() throws Exception;

    List<UserItem> followers() throws Exception;

    /** Up to limit notifications, newest first; marks them read if markRead. */
    List<NotificationItem> notifications(int limit, boolean markRead) throws Exception;

    StatusInfo status() throws Exception;

    void setPowerMode(PowerMode mode) throws Exception;

    void setNetworkType(NetworkType type) throws Exception;

    /** Adds a receiver of the node's events; it stays across node restarts. */
    void addEvents(SkeinEvents events);

    void removeEvents(SkeinEvents events);

    /** Stops the node for good. */
    void close();
}
