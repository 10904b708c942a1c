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
 * {@link AppExecutors#background()}). Failures are exceptions; turn them
 * into what the user reads with {@link Messages#of}, which maps the
 * binding's error codes ({@code Mobile.errorCode}).
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

    // ---- accounts ----

    UserItem register(String name, String password) throws Exception;

    UserItem login(String name, String password) throws Exception;

    void logout() throws Exception;

    /** The names of the accounts stored on this phone, in name order. */
    List<String> accounts() throws Exception;

    /** The logged-in account's 24-word recovery phrase; password must be the account's. */
    String exportPhrase(String password) throws Exception;

    /** The logged-in account's key file, sealed with its password; password must be the account's. */
    byte[] exportKeyFile(String password) throws Exception;

    /** Restores the account name from its recovery phrase, protected here by password, and logs in. */
    UserItem restorePhrase(String name, String phrase, String password) throws Exception;

    /** Restores an account from a key file sealed with password, and logs in. */
    UserItem restoreKeyFile(byte[] keyFile, String password) throws Exception;

    // ---- posts ----

    PostItem post(String text) throws Exception;

    /** Replies to the post postId with text. */
    PostItem reply(String postId, String text) throws Exception;

    /**
     * Posts text (which may be empty) with one image, or replies with it to
     * replyToId if that is not "": the node imports the bytes (their type must
     * agree with mimeType) with the thumbnail made on the phone.
     */
    PostItem postWithImage(String replyToId, String text, Attachment image) throws Exception;

    /**
     * The verified bytes of the file root (an image's root or its thumbnail's),
     * fetched from the network if the phone does not hold them.
     */
    byte[] mediaBytes(String root) throws Exception;

    /** Shares the post postId with the account's followers (a repost of a repost shares its original). */
    PostItem repost(String postId) throws Exception;

    /** Deletes one of the account's own entries, here and on every device that copied it. */
    void delete(String postId) throws Exception;

    /** A page of the merged feed, newest first: pass "" for the first page. */
    PostPage feed(String cursor, int limit) throws Exception;

    /** A page of one user's posts, newest first, fetched from the network if need be. */
    PostPage timeline(String name, String cursor, int limit) throws Exception;

    // ---- people ----

    /** Follows the user with this name and returns them. */
    UserItem follow(String name) throws Exception;

    void unfollow(String name) throws Exception;

    /** Looks a user up by name: a profile page's header. */
    ProfileInfo whois(String name) throws Exception;

    List<UserItem> following() throws Exception;

    List<UserItem> followers() throws Exception;

    /** Up to limit notifications, newest first; marks them read if markRead. */
    List<NotificationItem> notifications(int limit, boolean markRead) throws Exception;

    // ---- node ----

    StatusInfo status() throws Exception;

    /** The node's open connections, oldest first. */
    List<ConnectionItem> peers() throws Exception;

    void setPowerMode(PowerMode mode) throws Exception;

    void setNetworkType(NetworkType type) throws Exception;

    /** Adds a receiver of the node's events; it stays across node restarts. */
    void addEvents(SkeinEvents events);

    void removeEvents(SkeinEvents events);

    /** Stops the node for good. */
    void close();
}
