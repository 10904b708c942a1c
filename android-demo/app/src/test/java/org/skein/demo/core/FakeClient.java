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
    public void follow(String name) throws Exception {
        calls.add("follow " + name);
        maybeFail();
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
        return new StatusInfo("peer", "", 0, 0, 0, 0, PowerMode.FOREGROUND, NetworkType.WIFI);
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
