package org.skein.demo.core;

import java.util.List;

/**
 * The feed screen: loads the feed page by page and keeps it current from the
 * node's listener. A post that arrives through {@link SkeinEvents#onPost}
 * is merged in at once (de-duplicated by ID against the pages loaded), and the
 * view is redrawn on the main executor.
 *
 * <p>State is guarded by a lock, so events may arrive on any thread; the
 * view is only called on {@link AppExecutors#mainThread()}.
 */
public final class FeedPresenter {
    public interface View {
        /** The whole feed, newest first: an unmodifiable list. */
        void showPosts(List<PostItem> posts);

        void showLoading(boolean loading);

        void showError(String message);

        /** The number of connected peers. */
        void showPeers(long peers);
    }

    public static final int DEFAULT_PAGE_SIZE = 50;

    private final SkeinClient client;
    private final AppExecutors executors;
    private final int pageSize;
    private final SkeinEvents events = new Events();
    private final Runnable render = new Runnable() {
        @Override
        public void run() {
            View v = view;
            if (v != null) {
                v.showPosts(posts());
            }
        }
    };

    private final Object lock = new Object();
    private FeedList feed = FeedList.empty(); // guarded by lock
    private FeedList arrivedDuringRefresh = FeedList.empty(); // guarded by lock
    private int generation; // bumped by every refresh; guarded by lock
    private boolean refreshing; // guarded by lock
    private boolean loadingMore; // guarded by lock
    private String cursor = ""; // next page's cursor; guarded by lock
    private volatile View view;

    public FeedPresenter(SkeinClient client, AppExecutors executors) {
        this(client, executors, DEFAULT_PAGE_SIZE);
    }

    public FeedPresenter(SkeinClient client, AppExecutors executors, int pageSize) {
        if (pageSize <= 0) {
            throw new IllegalArgumentException("page size must be positive");
        }
        this.client = client;
        this.executors = executors;
        this.pageSize = pageSize;
    }

    /** Shows the feed in view, listens for new posts and reloads the first page. */
    public void attach(View v) {
        view = v;
        client.addEvents(events);
        executors.mainThread().execute(render);
        refresh();
    }

    /** Stops listening and forgets the view; the posts loaded stay. */
    public void detach() {
        client.removeEvents(events);
        view = null;
    }

    /**
     * Reloads the first page. Posts that arrive while it loads are kept;
     * older pages loaded before are dropped (load them again with loadMore).
     */
    public void refresh() {
        final int gen;
        synchronized (lock) {
            gen = ++generation;
            refreshing = true;
            loadingMore = false; // a page load in flight is now stale
            arrivedDuringRefresh = FeedList.empty();
        }
        showLoading(true);
        executors.run(new AppExecutors.Call<PostPage>() {
            @Override
            public PostPage call() throws Exception {
                return client.feed("", pageSize);
            }
        }, new AppExecutors.Callback<PostPage>() {
            @Override
            public void onResult(PostPage page) {
                synchronized (lock) {
                    if (gen != generation) {
                        return;
                    }
                    feed = FeedList.of(page.posts).plus(arrivedDuringRefresh.posts());
                    arrivedDuringRefresh = FeedList.empty();
                    refreshing = false;
                    cursor = page.nextCursor;
                }
                render.run();
                showLoading(false);
            }

            @Override
            public void onError(String message) {
                synchronized (lock) {
                    if (gen != generation) {
                        return;
                    }
                    refreshing = false;
                    feed = feed.plus(arrivedDuringRefresh.posts());
                    arrivedDuringRefresh = FeedList.empty();
                }
                render.run();
                showLoading(false);
                View v = view;
                if (v != null) {
                    v.showError(message);
                }
            }
        });
    }

    /** Loads the next page, if there is one and nothing is loading. Returns whether it started. */
    public boolean loadMore() {
        final int gen;
        final String from;
        synchronized (lock) {
            if (refreshing || loadingMore || cursor.isEmpty()) {
                return false;
            }
            loadingMore = true;
            gen = generation;
            from = cursor;
        }
        executors.run(new AppExecutors.Call<PostPage>() {
            @Override
            public PostPage call() throws Exception {
                return client.feed(from, pageSize);
            }
        }, new AppExecutors.Callback<PostPage>() {
            @Override
            public void onResult(PostPage page) {
                synchronized (lock) {
                    if (gen != generation) {
                        return;
                    }
                    loadingMore = false;
                    feed = feed.plus(page.posts);
                    cursor = page.nextCursor;
                }
                render.run();
            }

            @Override
            public void onError(String message) {
                synchronized (lock) {
                    if (gen == generation) {
                        loadingMore = false;
                    }
                }
                View v = view;
                if (v != null) {
                    v.showError(message);
                }
            }
        });
        return true;
    }

    /**
     * Adds a post that is known to be in the feed (from the listener, or one
     * the user just wrote) and redraws on the main executor. Duplicates are
     * dropped by ID.
     */
    public void add(PostItem post) {
        if (post == null) {
            return;
        }
        synchronized (lock) {
            feed = feed.plus(post);
            if (refreshing) {
                arrivedDuringRefresh = arrivedDuringRefresh.plus(post);
            }
        }
        executors.mainThread().execute(render);
    }

    /** The feed, newest first: an unmodifiable snapshot. */
    public List<PostItem> posts() {
        synchronized (lock) {
            return feed.posts();
        }
    }

    /** Whether the feed has a page after the ones loaded. */
    public boolean hasMore() {
        synchronized (lock) {
            return !cursor.isEmpty();
        }
    }

    public boolean isLoading() {
        synchronized (lock) {
            return refreshing || loadingMore;
        }
    }

    private void showLoading(final boolean loading) {
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showLoading(loading);
                }
            }
        });
    }

    private final class Events extends SkeinEvents {
        @Override
        public void onPost(PostItem post) {
            add(post);
        }

        @Override
        public void onConnectivity(final long peers) {
            executors.mainThread().execute(new Runnable() {
                @Override
                public void run() {
                    View v = view;
                    if (v != null) {
                        v.showPeers(peers);
                    }
                }
            });
        }
    }
}
