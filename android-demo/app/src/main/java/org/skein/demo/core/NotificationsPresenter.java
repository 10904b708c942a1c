package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notifications screen: loads the newest notifications (marking them
 * read, since the user is looking at them) and adds new ones as the listener
 * reports them, de-duplicated by ID.
 */
public final class NotificationsPresenter {
    public interface View {
        /** Newest first: an unmodifiable list. */
        void showNotifications(List<NotificationItem> items);

        void showError(String message);
    }

    public static final int DEFAULT_LIMIT = 50;

    static final Comparator<NotificationItem> NEWEST_FIRST = new Comparator<NotificationItem>() {
        @Override
        public int compare(NotificationItem a, NotificationItem b) {
            if (a.timeMillis != b.timeMillis) {
                return a.timeMillis > b.timeMillis ? -1 : 1;
            }
            return a.id.compareTo(b.id);
        }
    };

    private final SkeinClient client;
    private final AppExecutors executors;
    private final int limit;
    private final boolean markRead;
    private final SkeinEvents events = new SkeinEvents() {
        @Override
        public void onNotification(NotificationItem n) {
            add(Collections.singletonList(n));
        }
    };
    private final Runnable render = new Runnable() {
        @Override
        public void run() {
            View v = view;
            if (v != null) {
                v.showNotifications(items());
            }
        }
    };
    private final Object lock = new Object();
    private List<NotificationItem> items = Collections.emptyList(); // unmodifiable; guarded by lock
    private volatile View view;

    /** markRead: whether loading marks the notifications read (true for the screen that shows them). */
    public NotificationsPresenter(SkeinClient client, AppExecutors executors, boolean markRead) {
        this(client, executors, DEFAULT_LIMIT, markRead);
    }

    public NotificationsPresenter(SkeinClient client, AppExecutors executors, int limit, boolean markRead) {
        this.client = client;
        this.executors = executors;
        this.limit = limit;
        this.markRead = markRead;
    }

    public void attach(View v) {
        view = v;
        client.addEvents(events);
        load();
    }

    public void detach() {
        client.removeEvents(events);
        view = null;
    }

    public void load() {
        executors.run(new AppExecutors.Call<List<NotificationItem>>() {
            @Override
            public List<NotificationItem> call() throws Exception {
                return client.notifications(limit, markRead);
            }
        }, new AppExecutors.Callback<List<NotificationItem>>() {
            @Override
            public void onResult(List<NotificationItem> loaded) {
                add(loaded);
            }

            @Override
            public void onError(String message) {
                View v = view;
                if (v != null) {
                    v.showError(message);
                }
            }
        });
    }

    /** Merges notifications in (a known ID is replaced by the newer copy) and redraws. */
    public void add(List<NotificationItem> more) {
        synchronized (lock) {
            Map<String, NotificationItem> byId = new LinkedHashMap<String, NotificationItem>();
            for (NotificationItem n : items) {
                byId.put(n.id, n);
            }
            for (NotificationItem n : more) {
                if (n != null) {
                    byId.put(n.id, n);
                }
            }
            List<NotificationItem> out = new ArrayList<NotificationItem>(byId.values());
            Collections.sort(out, NEWEST_FIRST);
            items = Collections.unmodifiableList(out);
        }
        executors.mainThread().execute(render);
    }

    /** The notifications, newest first: an unmodifiable snapshot. */
    public List<NotificationItem> items() {
        synchronized (lock) {
            return items;
        }
    }

    /** How many of the notifications shown are unread. */
    public int unreadCount() {
        int n = 0;
        for (NotificationItem x : items()) {
            if (!x.read) {
                n++;
            }
        }
        return n;
    }
}
