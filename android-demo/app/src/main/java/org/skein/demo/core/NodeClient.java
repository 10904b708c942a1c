package org.skein.demo.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.skein.mobile.FeedPage;
import org.skein.mobile.Listener;
import org.skein.mobile.Mobile;
import org.skein.mobile.Node;
import org.skein.mobile.Notification;
import org.skein.mobile.NotificationList;
import org.skein.mobile.Post;
import org.skein.mobile.Status;
import org.skein.mobile.User;
import org.skein.mobile.UserList;

/**
 * {@link SkeinClient} over the gomobile binding. It owns one
 * {@code org.skein.mobile.Node} at a time (a new one only when the bootstrap
 * addresses change), sets one binding {@link Listener} on it and fans the
 * events out to every {@link SkeinEvents} added, converted to plain values.
 *
 * <p>Thread-safe. Calls block as the binding's do: run them off the UI thread.
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
                throw new Exception("node is closed");
            }
            if (isStarted()) {
                return;
            }
            node.start();
        }
        fireStarted();
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
                throw new Exception("node is closed");
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
    public PostItem post(String text) throws Exception {
        return post(node.post(text));
    }

    @Override
    public void follow(String name) throws Exception {
        node.follow(name);
    }

    @Override
    public void unfollow(String name) throws Exception {
        node.unfollow(name);
    }

    @Override
    public PostPage feed(String cursor, int limit) throws Exception {
        FeedPage page = node.feed(cursor == null ? "" : cursor, limit);
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

    @Override
    public StatusInfo status() throws Exception {
        Status s = node.status();
        return new StatusInfo(s.getPeerID(), s.getAccount(), s.getPeers(), s.getFollowing(),
                s.getFollowers(), s.getUnread(), powerMode(s.getPowerMode()), networkType(s.getNetworkType()));
    }

    @Override
    public void setPowerMode(PowerMode mode) throws Exception {
        node.setPowerMode(powerConstant(mode));
    }

    @Override
    public void setNetworkType(NetworkType type) throws Exception {
        node.setNetworkType(networkConstant(type));
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

    static long powerConstant(PowerMode m) {
        switch (m) {
            case FOREGROUND:
                return Mobile.PowerForeground;
            case BACKGROUND:
                return Mobile.PowerBackground;
            case OFF:
                return Mobile.PowerOff;
            default:
                throw new IllegalArgumentException("unknown power mode " + m);
        }
    }

    static PowerMode powerMode(long c) {
        if (c == Mobile.PowerForeground) {
            return PowerMode.FOREGROUND;
        } else if (c == Mobile.PowerBackground) {
            return PowerMode.BACKGROUND;
        } else if (c == Mobile.PowerOff) {
            return PowerMode.OFF;
        }
        throw new IllegalArgumentException("unknown power mode " + c);
    }

    static long networkConstant(NetworkType t) {
        switch (t) {
            case WIFI:
                return Mobile.NetworkWiFi;
            case CELLULAR:
                return Mobile.NetworkCellular;
            case NONE:
                return Mobile.NetworkNone;
            default:
                throw new IllegalArgumentException("unknown network type " + t);
        }
    }

    static NetworkType networkType(long c) {
        if (c == Mobile.NetworkWiFi) {
            return NetworkType.WIFI;
        } else if (c == Mobile.NetworkCellular) {
            return NetworkType.CELLULAR;
        } else if (c == Mobile.NetworkNone) {
            return NetworkType.NONE;
        }
        throw new IllegalArgumentException("unknown network type " + c);
    }

    static PostItem post(Post p) {
        return new PostItem(p.getID(), p.getKind(), p.getAuthor(), p.getAuthorKey(), p.getText(),
                p.getSeq(), p.getTimeMillis(), p.getReplyToID(), p.getRepostOfID());
    }

    static UserItem user(User u) {
        return new UserItem(u.getName(), u.getKey(), u.getSinceMillis());
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

    static NotificationItem notification(Notification n) {
        return new NotificationItem(n.getID(), n.getKind(), n.getFromName(), n.getFromKey(),
                n.getPostID(), n.getPostText(), n.getTimeMillis(), n.getRead());
    }

    /** The binding's listener: converts each event and hands it to every SkeinEvents. */
    private final class Fanout implements Listener {
        @Override
        public void onPost(Post p) {
            if (p == null) {
                return;
            }
            PostItem item;
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
        public void onNotification(Notification n) {
            if (n == null) {
                return;
            }
            NotificationItem item;
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
    }
}
