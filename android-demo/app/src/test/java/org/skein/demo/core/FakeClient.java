package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SkeinClient without a node, for the pure-logic tests (validation,
 * de-duplication, de-duplicated power calls). The flows themselves are
 * tested against real nodes.
 */
class FakeClient implements SkeinClient {
    final List<SkeinEvents> events = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, PostPage> pages = new HashMap<>(); // by cursor
    volatile boolean started;
    volatile Exception failNext; // thrown by the next call that may fail
    volatile Runnable duringFeed; // run inside feed(), as if events arrived meanwhile
    final AtomicInteger posts = new AtomicInteger();
    final List<String> accounts = new CopyOnWriteArrayList<>();
    volatile String statusAccount = ""; // status().account
    volatile String statusKey = ""; // status().key: the logged-in account's key
    /** 24 words of the BIP-39 list (not a valid phrase: fakes do not check). */
    static final String PHRASE = "abandon ability able about above absent absorb abstract absurd abuse access accident "
            + "account accuse achieve acid acoustic acquire across act action actor actress actual";

    int count(String prefix) {
        int n = 0;
        for (String c : calls) {
            if (c.startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }

    private void maybeFail() throws Exception {
        Exception e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
    }

    void firePost(PostItem p) {
        for (SkeinEvents e : events) {
            e.onPost(p);
        }
    }

    void fireDelete(PostItem p) {
        for (SkeinEvents e : events) {
            e.onDelete(p);
        }
    }

    void fireNotification(NotificationItem n) {
        for (SkeinEvents e : events) {
            e.onNotification(n);
        }
    }

    void fireConnectivity(long peers) {
        for (SkeinEvents e : events) {
            e.onConnectivity(peers);
        }
    }

    @Override
    public void ensureStarted() throws Exception {
        calls.add("start");
        maybeFail();
        if (!started) {
            started = true;
            for (SkeinEvents e : events) {
                e.onStarted();
            }
        }
    }

    @Override
    public boolean isStarted() {
        return started;
    }

    @Override
    public void setBootstrapAddrs(String addrs) {
        calls.add("bootstrap " + addrs);
    }

    @Override
    public String bootstrapAddrs() {
        return "";
    }

    @Override
    public String addrs() {
        return "";
    }

    @Override
    public UserItem register(String name, String password) throws Exception {
        calls.add("register " + name);
        maybeFail();
        return new UserItem(name, "k", 0);
    }

    @Override
    public UserItem login(String name, String password) throws Exception {
        calls.add("login " + name);
        maybeFail();
        return new UserItem(name, "k", 0);
    }

    @Override
    public void logout() throws Exception {
        calls.add("logout");
        maybeFail();
    }

    @Override
    public PostItem post(String text) throws Exception {
        calls.add("post " + text);
        maybeFail();
        return PostItem.of("p" + posts.incrementAndGet(), "me", text, System.currentTimeMillis());
    }

    @Override
    public PostItem reply(String postId, String text) throws Exception {
        calls.add("reply " + postId + " " + text);
        maybeFail();
        return new PostItem("p" + posts.incrementAndGet(), PostItem.REPLY, "me", statusKey, text, 0,
                System.currentTimeMillis(), postId, "");
    }

    final Map<String, byte[]> media = new HashMap<>(); // by fake root

    @Override
    public PostItem postWithImage(String replyToId, String text, Attachment image) throws Exception {
        calls.add("postWithImage " + replyToId + " " + text + " " + image.mimeType);
        maybeFail();
        String root = "r" + posts.incrementAndGet();
        synchronized (media) {
            media.put(root, image.bytes);
        }
        List<ImageItem> images = Collections.singletonList(
                new ImageItem(root, "", image.mimeType, image.alt, image.width, image.height, image.bytes.length));
        return new PostItem("p" + posts.incrementAndGet(), replyToId.isEmpty() ? PostItem.POST : PostItem.REPLY,
                "me", statusKey, text, 0, System.currentTimeMillis(), replyToId, "", "", null, false, images);
    }

    @Override
    public byte[] mediaBytes(String root) throws Exception {
        calls.add("mediaBytes " + root);
        maybeFail();
        synchronized (media) {
            byte[] b = media.get(root);
            if (b == null) {
                throw new Exception("no media " + root);
            }
            return b;
        }
    }

    @Override
    public PostItem repost(String postId) throws Exception {
        calls.add("repost " + postId);
        maybeFail();
        return new PostItem("p" + posts.incrementAndGet(), PostItem.REPOST, "me", statusKey, "", 0,
                System.currentTimeMillis(), "", postId);
    }

    @Override
    public void delete(String postId) throws Exception {
        calls.add("delete " + postId);
        maybeFail();
    }

    @Override
    public UserItem follow(String name) throws Exception {
        calls.add("follow " + name);
        maybeFail();
        return new UserItem(name, "k-" + name, System.currentTimeMillis());
    }

    @Override
    public void unfollow(String name) throws Exception {
        calls.add("unfollow " + name);
        maybeFail();
    }

    @Override
    public PostPage feed(String cursor, int limit) throws Exception {
        calls.add("feed " + cursor);
        Runnable r = duringFeed;
        if (r != null) {
            duringFeed = null;
            r.run();
        }
        maybeFail();
        PostPage p = pages.get(cursor);
        return p != null ? p : new PostPage(Collections.<PostItem>emptyList(), "");
    }

    @Override
    public PostPage timeline(String name, String cursor, int limit) throws Exception {
        calls.add("timeline " + name + " " + cursor);
        maybeFail();
        PostPage p = pages.get(cursor);
        return p != null ? p : new PostPage(Collections.<PostItem>emptyList(), "");
    }

    @Override
    public ProfileInfo whois(String name) throws Exception {
        calls.add("whois " + name);
        maybeFail();
        return new ProfileInfo(name, "k-" + name, "", null, 0, 0, 0, false, false, 0);
    }

    @Override
    public List<String> accounts() throws Exception {
        calls.add("accounts");
        maybeFail();
        return new ArrayList<>(accounts);
    }

    @Override
    public String exportPhrase(String password) throws Exception {
        calls.add("exportPhrase");
        maybeFail();
        return PHRASE;
    }

    @Override
    public byte[] exportKeyFile(String password) throws Exception {
        calls.add("exportKeyFile");
        maybeFail();
        return "key file".getBytes("UTF-8");
    }

    @Override
    public UserItem restorePhrase(String name, String phrase, String password) throws Exception {
        calls.add("restorePhrase " + name + " " + phrase);
        maybeFail();
        return new UserItem(name, "k", 0);
    }

    @Override
    public UserItem restoreKeyFile(byte[] keyFile, String password) throws Exception {
        calls.add("restoreKeyFile " + keyFile.length);
        maybeFail();
        return new UserItem("filed", "k", 0);
    }

    @Override
    public List<ConnectionItem> peers() {
        calls.add("peers");
        return new ArrayList<>();
    }

    @Override
    public List<UserItem> following() {
        calls.add("following");
        return new ArrayList<>();
    }

    @Override
    public List<UserItem> followers() {
        calls.add("followers");
        return new ArrayList<>();
    }

    @Override
    public List<NotificationItem> notifications(int limit, boolean markRead) {
        calls.add("notifications");
        return new ArrayList<>();
    }

    @Override
    public StatusInfo status() {
        calls.add("status");
        return new StatusInfo.Builder().peerId("peer").account(statusAccount).key(statusKey)
                .powerMode(PowerMode.FOREGROUND).networkType(NetworkType.WIFI).build();
    }

    @Override
    public void setPowerMode(PowerMode mode) throws Exception {
        calls.add("power " + mode);
        maybeFail();
    }

    @Override
    public void setNetworkType(NetworkType type) throws Exception {
        calls.add("network " + type);
        maybeFail();
    }

    @Override
    public void addEvents(SkeinEvents e) {
        if (!events.contains(e)) {
            events.add(e);
        }
    }

    @Override
    public void removeEvents(SkeinEvents e) {
        events.remove(e);
    }

    @Override
    public void close() {
        calls.add("close");
        started = false;
    }
}
