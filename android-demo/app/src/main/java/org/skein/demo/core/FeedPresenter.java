package org.skein.demo.core;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.skein.mobile.Mobile;

/**
 * A list of posts, loaded page by page and kept current from the node's
 * listener: the feed ({@link #FEED}), or one user's timeline on a profile
 * page ({@link #timeline}). A post that arrives through
 * {@link SkeinEvents#onPost} is merged in at once if it belongs to the list
 * (de-duplicated by ID against the pages loaded); a post its author deleted
 * ({@link SkeinEvents#onDelete}, or the user's own delete) is taken out, and
 * a repost of it shows its original as unavailable.
 *
 * <p>Each row's actions are here too: {@link #repost} and {@link #delete}
 * (only the account's own posts: {@link #canDelete}). A reply is written on
 * the compose screen ({@link ComposePresenter#replyTo}).
 *
 * <p>State is guarded by a lock, so events may arrive on any thread; the
 * view is only called on {@link AppExecutors#mainThread()}.
 */
public final class FeedPresenter {
    public interface View {
        /** The whole list, newest first: an unmodifiable list. */
        void showPosts(List<PostItem> posts);

        void showLoading(boolean loading);

        void showError(String message);

        /** A confirmation, e.g. "Post deleted". */
        void showMessage(String message);

        /** The number of connected peers. */
        void showPeers(long peers);
    }

    /** Where a list's pages come from, and which live posts belong to it. */
    public interface Source {
        PostPage load(SkeinClient client, String cursor, int limit) throws Exception;

        /** Whether a post reported by onPost (or just written here) belongs to this list. */
        boolean accepts(PostItem post);
    }

    /** The merged feed of the followed users and the account itself. */
    public static final Source FEED = new Source() {
        @Override
        public PostPage load(SkeinClient client, String cursor, int limit) throws Exception {
            return client.feed(cursor, limit);
        }

        @Override
        public boolean accepts(PostItem post) {
            return true;
        }
    };

    /** One user's posts, replies and reposts, fetched from the network if this phone does not hold them. */
    public static Source timeline(String name) {
        final String user = Validation.normalizeName(name);
        return new Source() {
            @Override
            public PostPage load(SkeinClient client, String cursor, int limit) throws Exception {
                return client.timeline(user, cursor, limit);
            }

            @Override
            public boolean accepts(PostItem post) {
                return user.equals(post.author);
            }
        };
    }

    public static final int DEFAULT_PAGE_SIZE = 50;

    private final SkeinClient client;
    private final AppExecutors executors;
    private final Source source;
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
    private final Set<String> deleted = new HashSet<String>(); // IDs of deleted posts; guarded by lock
    private int generation; // bumped by every refresh; guarded by lock
    private boolean refreshing; // guarded by lock
    private boolean loadingMore; // guarded by lock
    private String cursor = ""; // next page's cursor; guarded by lock
    private volatile String myKey = ""; // the logged-in account's key, learnt on refresh
    private volatile View view;

    public FeedPresenter(SkeinClient client, AppExecutors executors) {
        this(client, executors, FEED, DEFAULT_PAGE_SIZE);
    }

    public FeedPresenter(SkeinClient client, AppExecutors executors, int pageSize) {
        this(client, executors, FEED, pageSize);
    }

    public FeedPresenter(SkeinClient client, AppExecutors executors, Source source, int pageSize) {
        if (pageSize <= 0) {
            throw new IllegalArgumentException("page size must be positive");
        }
        if (source == null) {
            throw new IllegalArgumentException("no source given");
        }
        this.client = client;
        this.executors = executors;
        this.source = source;
        this.pageSize = pageSize;
    }

    /** Shows the list in view, listens for new and deleted posts and reloads the first page. */
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

    /** A first page and who is logged in, loaded together. */
    private static final class FirstPage {
        final PostPage page;
        final String key;

        FirstPage(PostPage page, String key) {
            this.page = page;
            this.key = key;
        }
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
        executors.run(new AppExecutors.Call<FirstPage>() {
            @Override
            public FirstPage call() throws Exception {
                String key = client.status().key; // whose posts may be deleted here
                return new FirstPage(source.load(client, "", pageSize), key);
            }
        }, new AppExecutors.Callback<FirstPage>() {
            @Override
            public void onResult(FirstPage first) {
                myKey = first.key;
                synchronized (lock) {
                    if (gen != generation) {
                        return;
                    }
                    feed = FeedList.of(first.page.posts).plus(arrivedDuringRefresh.posts()).minus(deleted);
                    arrivedDuringRefresh = FeedList.empty();
                    refreshing = false;
                    cursor = first.page.nextCursor;
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
                    feed = feed.plus(arrivedDuringRefresh.posts()).minus(deleted);
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
                return source.load(client, from, pageSize);
            }
        }, new AppExecutors.Callback<PostPage>() {
            @Override
            public void onResult(PostPage page) {
                synchronized (lock) {
                    if (gen != generation) {
                        return;
                    }
                    loadingMore = false;
                    feed = feed.plus(page.posts).minus(deleted);
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
     * Adds a post that is known to belong to the list (from the listener, or
     * one the user just wrote) and redraws on the main executor. Duplicates
     * are dropped by ID, and so are posts deleted meanwhile.
     */
    public void add(PostItem post) {
        if (post == null) {
            return;
        }
        synchronized (lock) {
            if (deleted.contains(post.id)) {
                return;
            }
            feed = feed.plus(post).minus(deleted);
            if (refreshing) {
                arrivedDuringRefresh = arrivedDuringRefresh.plus(post);
            }
        }
        executors.mainThread().execute(render);
    }

    /**
     * Takes the post id out of the list for good (its author deleted it) and
     * redraws; a repost of it stays, its original shown as unavailable.
     */
    public void remove(String id) {
        if (id == null || id.isEmpty()) {
            return;
        }
        synchronized (lock) {
            deleted.add(id);
            feed = feed.minus(id);
            arrivedDuringRefresh = arrivedDuringRefresh.minus(id);
        }
        executors.mainThread().execute(render);
    }

    /** Whether post is the logged-in account's own, so that it may delete it. */
    public boolean canDelete(PostItem post) {
        return post != null && post.isBy(myKey);
    }

    /**
     * Reposts post (for a repost: its original) to the account's followers.
     * The repost shows in the feed at once.
     */
    public void repost(final PostItem post) {
        if (post == null) {
            return;
        }
        executors.run(new AppExecutors.Call<PostItem>() {
            @Override
            public PostItem call() throws Exception {
                return client.repost(post.targetId());
            }
        }, new AppExecutors.Callback<PostItem>() {
            @Override
            public void onResult(PostItem repost) {
                if (source.accepts(repost)) {
                    add(repost);
                }
                message("Reposted " + post.targetByline() + "'s post to your followers");
            }

            @Override
            public void onError(String message) {
                error(message);
            }
        });
    }

    /**
     * Deletes one of the account's own posts, here and on every device that
     * copied it, and takes it out of the list. The node refuses anyone
     * else's (CodeNotYours). A post the node no longer has (CodeNoPost: it
     * was deleted from another device) is taken out too.
     */
    public void delete(final PostItem post) {
        if (post == null) {
            return;
        }
        executors.run(new AppExecutors.Call<Boolean>() {
            @Override
            public Boolean call() throws Exception {
                try {
                    client.delete(post.id);
                    return Boolean.TRUE;
                } catch (Exception e) {
                    if (Messages.code(e) == Mobile.CodeNoPost) {
                        return Boolean.FALSE; // gone already
                    }
                    throw e;
                }
            }
        }, new AppExecutors.Callback<Boolean>() {
            @Override
            public void onResult(Boolean deletedNow) {
                remove(post.id);
                message(deletedNow ? "Post deleted" : "This post was deleted already");
            }

            @Override
            public void onError(String message) {
                error(message);
            }
        });
    }

    /** The list, newest first: an unmodifiable snapshot. */
    public List<PostItem> posts() {
        synchronized (lock) {
            return feed.posts();
        }
    }

    /** Whether the list has a page after the ones loaded. */
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

    private void message(final String message) {
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showMessage(message);
                }
            }
        });
    }

    private void error(final String message) {
        executors.mainThread().execute(new Runnable() {
            @Override
            public void run() {
                View v = view;
                if (v != null) {
                    v.showError(message);
                }
            }
        });
    }

    private final class Events extends SkeinEvents {
        @Override
        public void onPost(PostItem post) {
            if (source.accepts(post)) {
                add(post);
            }
        }

        @Override
        public void onDelete(PostItem post) {
            remove(post.id);
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
