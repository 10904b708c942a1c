package org.skein.demo.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.skein.mobile.Connection;
import org.skein.mobile.ConnectionList;
import org.skein.mobile.FeedPage;
import org.skein.mobile.Conversation;
import org.skein.mobile.Listener;
import org.skein.mobile.Message;
import org.skein.mobile.LogState;
import org.skein.mobile.Media;
import org.skein.mobile.MediaInput;
import org.skein.mobile.MediaList;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;
import org.skein.mobile.Notification;
import org.skein.mobile.NotificationList;
import org.skein.mobile.Post;
import org.skein.mobile.Profile;
import org.skein.mobile.Status;
import org.skein.mobile.StringList;
import org.skein.mobile.User;
import org.skein.mobile.UserList;

/**
 * {@link SkeinClient} over the gomobile binding. It owns one
 * {@code org.skein.mobile.Node} at a time (a new one only when the bootstrap
 * addresses change), sets one binding {@link Listener} on it and fans the
 * events out to every {@link SkeinEvents} added, converted to plain values.
 *
 * <p>Thread-safe. Calls block as the binding's do: run them off the UI thread.
 * The binding's errors are passed on as they are thrown, so that
 * {@link Messages} can read their codes.
 */
public final class NodeClient implements SkeinClient {
    private static final Logger LOG = Logger.getLogger("skein");

    private final Object lock = new Object(); // guards start, restart and close
    private final CopyOnWriteArrayList<SkeinEvents> events = new CopyOnWriteArrayList<SkeinEvents>();
    private final Listener fanout = new Fanout();
    private volatile Node node;
    private NodeSettings settings; // null if the node was made elsewhere; guarded by lock
    private boolean closed; // guarded by lock

    /** Creates (but does not start) a node with these settings. */
    public NodeClient(NodeSettings settings) throws Exception {
        this.settings = settings;
        this.node = Mobile.newNode(settings.toConfig());
        this.node.setListener(fanout);
    }

    /**
     * Wraps a node created elsewhere, started or not; the client owns it
     * from now on (close closes it). Its bootstrap addresses cannot be changed.
     */
    public NodeClient(Node node) {
        if (node == null) {
            throw new IllegalArgumentException("no node given");
        }
        this.settings = null;
        this.node = node;
        node.setListener(fanout);
    }

    /** The binding's node, for what this interface does not cover. */
    public Node node() {
        return node;
    }

    @Override
    public void ensureStarted() throws Exception {
        synchronized (lock) {
            if (closed) {
                throw closedError();
            }
            if (isStarted()) {
                return;
            }
            node.start();
        }
        fireStarted();
    }

    /** The closed node's own CodeClosed error (guarded by lock, closed is set). */
    private Exception closedError() {
        try {
            node.start(); // a closed node refuses with CodeClosed
        } catch (Exception e) {
            return e;
        }
        return new IllegalStateException("the node is closed");
    }

    @Override
    public boolean isStarted() {
        // PeerID is "" before Start and after Close.
        String id = node.peerID();
        return id != null && !id.isEmpty();
    }

    @Override
    public void setBootstrapAddrs(String addrs) throws Exception {
        String want = NodeSettings.normalizeAddrs(addrs);
        boolean restarted;
        synchronized (lock) {
            if (closed) {
                throw closedError();
            }
            if (settings == null) {
                if (want.isEmpty()) {
                    return;
                }
                throw new IllegalStateException("this node was created elsewhere: its bootstrap addresses cannot be changed");
            }
            if (want.equals(settings.bootstrapAddrs)) {
                return;
            }
            NodeSettings next = settings.withBootstrapAddrs(want);
            Node old = node;
            restarted = isStarted();
            old.setListener(null);
            try {
                old.close(); // releases the store, which the new node opens
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the node to restart it", e);
            }
            Node fresh;
            try {
                fresh = Mobile.newNode(next.toConfig());
            } catch (Exception e) {
                // Keep a usable (unstarted) node with the old settings.
                node = Mobile.newNode(settings.toConfig());
                node.setListener(fanout);
                throw e;
            }
            fresh.setListener(fanout);
            node = fresh;
            settings = next;
            if (restarted) {
                fresh.start();
            }
        }
        if (restarted) {
            fireStarted();
        }
    }

    @Override
    public String bootstrapAddrs() {
        synchronized (lock) {
            return settings == null ? "" : settings.bootstrapAddrs;
        }
    }

    @Override
    public String addrs() {
        return PostItem.nonNull(node.addrs());
    }

    // ---- accounts ----

    @Override
    public UserItem register(String name, String password) throws Exception {
        return user(node.register(name, password));
    }

    @Override
    public UserItem login(String name, String password) throws Exception {
        return user(node.login(name, password));
    }

    @Override
    public void logout() throws Exception {
        node.logout();
    }

    @Override
    public List<String> accounts() throws Exception {
        return strings(node.accounts());
    }

    @Override
    public String exportPhrase(String password) throws Exception {
        return node.exportPhrase(password);
    }

    @Override
    public byte[] exportKeyFile(String password) throws Exception {
        return node.exportKeyFile(password);
    }

    @Override
    public UserItem restorePhrase(String name, String phrase, String password) throws Exception {
        return user(node.restorePhrase(name, phrase, password));
    }

    @Override
    public UserItem restoreKeyFile(byte[] keyFile, String password) throws Exception {
        return user(node.restoreKeyFile(keyFile, password));
    }

    // ---- posts ----

    @Override
    public PostItem post(String text) throws Exception {
        return post(node.post(text));
    }

    @Override
    public PostItem reply(String postId, String text) throws Exception {
        return post(node.reply(postId, text));
    }

    @Override
    public PostItem repost(String postId) throws Exception {
        return post(node.repost(postId));
    }

    @Override
    public PostItem postWithImage(String replyToId, String text, Attachment image) throws Exception {
        String err = image.error();
        if (err != null) {
            throw new IllegalArgumentException(err);
        }
        MediaInput in = Mobile.newMediaInput(image.mimeType, image.width, image.height);
        in.setAlt(image.alt);
        if (image.thumb != null) {
            in.setThumb(image.thumb);
        }
        MediaList list = Mobile.newMediaList();
        list.add(node.importMedia(image.bytes, in));
        String body = text == null ? "" : text;
        if (replyToId == null || replyToId.isEmpty()) {
            return post(node.postWithMedia(body, list));
        }
        return post(node.replyWithMedia(replyToId, body, list));
    }

    @Override
    public byte[] mediaBytes(String root) throws Exception {
        return node.mediaBytes(root);
    }

    @Override
    public void delete(String postId) throws Exception {
        node.delete(postId);
    }

    @Override
    public PostPage feed(String cursor, int limit) throws Exception {
        return page(node.feed(cursor == null ? "" : cursor, limit));
    }

    @Override
    public PostPage timeline(String name, String cursor, int limit) throws Exception {
        return page(node.timeline(name, cursor == null ? "" : cursor, limit));
    }

    // ---- people ----

    @Override
    public UserItem follow(String name) throws Exception {
        return user(node.follow(name));
    }

    @Override
    public void unfollow(String name) throws Exception {
        node.unfollow(name);
    }

    @Override
    public ProfileInfo whois(String name) throws Exception {
        Profile p = node.whois(name);
        return new ProfileInfo(p.getName(), p.getKey(), p.getPeerID(), strings(p.getAddrs()),
                p.getUpdatedMillis(), p.getLatestSeq(), p.getHeld(), p.getPinned(), p.getOnline(),
                p.getLastSeenMillis());
    }

    @Override
    public List<UserItem> following() throws Exception {
        return users(node.following());
    }

    @Override
    public List<UserItem> followers() throws Exception {
        return users(node.followers());
    }

    @Override
    public List<NotificationItem> notifications(int limit, boolean markRead) throws Exception {
        NotificationList list = node.notifications(limit, markRead);
        long n = list.len();
        List<NotificationItem> out = new ArrayList<NotificationItem>((int) n);
        for (long i = 0; i < n; i++) {
            Notification x = list.get(i);
            if (x != null) {
                out.add(notification(x));
            }
        }
        return out;
    }

    // ---- node ----

    @Override
    public StatusInfo status() throws Exception {
        Status s = node.status();
        return new StatusInfo.Builder()
                .peerId(s.getPeerID())
                .addrs(strings(s.getAddrs()))
                .peers(s.getPeers())
                .dhtMode(s.getDHTMode())
                .account(s.getAccount())
                .key(s.getKey())
                .entries(s.getEntries())
                .following(s.getFollowing())
                .followers(s.getFollowers())
                .unread(s.getUnread())
                .restoring(s.getRestoring())
                .accounts(strings(s.getAccounts()))
                .powerMode(powerMode(s.getPower()))
                .networkType(networkType(s.getNetwork()))
                .reachability(s.getReachability())
                .holePunch(s.getHolePunch())
                .relays(strings(s.getRelays()))
                .build();
    }

    @Override
    public List<ConnectionItem> peers() throws Exception {
        ConnectionList list = node.peers();
        long n = list.len();
        List<ConnectionItem> out = new ArrayList<ConnectionItem>((int) n);
        for (long i = 0; i < n; i++) {
            Connection c = list.get(i);
            if (c != null) {
                out.add(new ConnectionItem(c.getPeer(), c.getAddr(), c.getRelayed(), c.getDirection(),
                        c.getOpenedMillis()));
            }
        }
        return out;
    }

    @Override
    public void setPowerMode(PowerMode mode) throws Exception {
        node.setPowerMode(toBinding(mode));
    }

    @Override
    public void setNetworkType(NetworkType type) throws Exception {
        node.setNetworkType(toBinding(type));
    }

    @Override
    public void addEvents(SkeinEvents e) {
        if (e != null) {
            events.addIfAbsent(e);
        }
    }

    @Override
    public void removeEvents(SkeinEvents e) {
        events.remove(e);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                node.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the node", e);
            }
        }
    }

    private void fireStarted() {
        for (SkeinEvents e : events) {
            try {
                e.onStarted();
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "onStarted handler failed", ex);
            }
        }
    }

    // ---- conversions between the binding and the plain values ----

    /** The binding's power mode for m: Mobile.powerForeground() and friends. */
    static org.skein.mobile.PowerMode toBinding(PowerMode m) {
        if (m == null) {
            throw new IllegalArgumentException("no power mode given");
        }
        switch (m) {
            case FOREGROUND:
                return Mobile.powerForeground();
            case BACKGROUND:
                return Mobile.powerBackground();
            case OFF:
                return Mobile.powerOff();
            default:
                throw new IllegalArgumentException("unknown power mode " + m);
        }
    }

    /** The demo's power mode for the binding's (which compare by name with equals). */
    static PowerMode powerMode(org.skein.mobile.PowerMode m) {
        for (PowerMode x : PowerMode.values()) {
            if (toBinding(x).equals(m)) {
                return x;
            }
        }
        throw new IllegalArgumentException("unknown power mode " + (m == null ? "null" : m.getName()));
    }

    /** The binding's network type for t: Mobile.networkWiFi() and friends. */
    static org.skein.mobile.NetworkType toBinding(NetworkType t) {
        if (t == null) {
            throw new IllegalArgumentException("no network type given");
        }
        switch (t) {
            case WIFI:
                return Mobile.networkWiFi();
            case CELLULAR:
                return Mobile.networkCellular();
            case NONE:
                return Mobile.networkNone();
            default:
                throw new IllegalArgumentException("unknown network type " + t);
        }
    }

    /** The demo's network type for the binding's. */
    static NetworkType networkType(org.skein.mobile.NetworkType t) {
        for (NetworkType x : NetworkType.values()) {
            if (toBinding(x).equals(t)) {
                return x;
            }
        }
        throw new IllegalArgumentException("unknown network type " + (t == null ? "null" : t.getName()));
    }

    static PostItem post(Post p) {
        Post orig = p.getRepostOf();
        return new PostItem(p.getID(), p.getKind(), p.getAuthor(), p.getAuthorKey(), p.getText(),
                p.getSeq(), p.getTimeMillis(), p.getReplyToID(), p.getReplyToAuthor(), p.getRepostOfID(),
                orig == null ? null : post(orig), p.getUnavailable(), images(p.getMedia()));
    }

    static List<ImageItem> images(MediaList ms) {
        List<ImageItem> out = new ArrayList<ImageItem>();
        if (ms == null) {
            return out;
        }
        for (long i = 0; i < ms.len(); i++) {
            Media m = ms.get(i);
            if (m != null) {
                out.add(new ImageItem(m.getRoot(), m.getThumb(), m.getType(), m.getAlt(), m.getWidth(),
                        m.getHeight(), m.getSize()));
            }
        }
        return out;
    }

    static PostPage page(FeedPage page) {
        long n = page.len();
        List<PostItem> posts = new ArrayList<PostItem>((int) n);
        for (long i = 0; i < n; i++) {
            Post p = page.get(i);
            if (p != null) {
                posts.add(post(p));
            }
        }
        return new PostPage(posts, page.nextCursor());
    }

    static UserItem user(User u) {
        LogState l = u.getLog();
        LogInfo log = l == null ? null : new LogInfo(l.getFrom(), l.getTo(), l.getLatest(), l.getTrimmed());
        return new UserItem(u.getName(), u.getKey(), u.getSinceMillis(), log);
    }

    static List<UserItem> users(UserList list) {
        long n = list.len();
        List<UserItem> out = new ArrayList<UserItem>((int) n);
        for (long i = 0; i < n; i++) {
            User u = list.get(i);
            if (u != null) {
                out.add(user(u));
            }
        }
        return out;
    }

    static List<String> strings(StringList list) {
        if (list == null) {
            return new ArrayList<String>();
        }
        long n = list.len();
        List<String> out = new ArrayList<String>((int) n);
        for (long i = 0; i < n; i++) {
            out.add(list.get(i));
        }
        return out;
    }

    static NotificationItem notification(Notification n) {
        Post p = n.getPost();
        return new NotificationItem(n.getID(), n.getKind(), n.getFromName(), n.getFromKey(),
                n.getPostID(), n.getPostText(), n.getTimeMillis(), n.getRead(), p == null ? null : post(p));
    }

    /** The binding's listener: converts each event and hands it to every SkeinEvents. */
    private final class Fanout implements Listener {
        @Override
        public void onPost(Post p) {
            if (p == null) {
                return;
            }
            final PostItem item;
            try {
                item = post(p);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "unreadable post event", ex);
                return;
            }
            for (SkeinEvents e : events) {
                try {
                    e.onPost(item);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "onPost handler failed", ex);
                }
            }
        }

        @Override
        public void onDelete(Post p) {
            if (p == null) {
                return;
            }
            final PostItem item;
            try {
                item = post(p);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "unreadable delete event", ex);
                return;
            }
            for (SkeinEvents e : events) {
                try {
                    e.onDelete(item);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "onDelete handler failed", ex);
                }
            }
        }

        @Override
        public void onFollower(User u) {
            if (u == null) {
                return;
            }
            UserItem item = user(u);
            for (SkeinEvents e : events) {
                try {
                    e.onFollower(item);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "onFollower handler failed", ex);
                }
            }
        }

        @Override
        public void onUnfollow(User u) {
            if (u == null) {
                return;
            }
            UserItem item = user(u);
            for (SkeinEvents e : events) {
                try {
                    e.onUnfollow(item);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "onUnfollow handler failed", ex);
                }
            }
        }

        @Override
        public void onNotification(Notification n) {
            if (n == null) {
                return;
            }
            final NotificationItem item;
            try {
                item = notification(n);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "unreadable notification event", ex);
                return;
            }
            for (SkeinEvents e : events) {
                try {
                    e.onNotification(item);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "onNotification handler failed", ex);
                }
            }
        }

        @Override
        public void onConnectivity(long peers) {
            for (SkeinEvents e : events) {
                try {
                    e.onConnectivity(peers);
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "onConnectivity handler failed", ex);
                }
            }
        }

        // The demo has no messaging screens yet: messaging events are not
        // shown.
        @Override
        public void onMessage(Message m, Conversation c) {}

        @Override
        public void onMembers(Conversation c) {}

        @Override
        public void onInvite(Conversation c) {}
    }
}
