package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/**
 * The feed: a post written on one device reaches a follower's feed on
 * another through the node's Listener (real nodes and a relay node), plus
 * de-duplication and paging on a fake.
 */
public class FeedPresenterTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    private TestNodes nodes;
    private UiThread ui;

    @After
    public void tearDown() throws Exception {
        if (ui != null) {
            ui.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    /** A view that records what it was shown, and on which thread. */
    static final class FeedView implements FeedPresenter.View {
        final UiThread ui;
        final AtomicReference<List<PostItem>> shown = new AtomicReference<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile long peers = -1;

        FeedView(UiThread ui) {
            this.ui = ui;
        }

        @Override
        public void showPosts(List<PostItem> posts) {
            if (ui != null) {
                ui.check("showPosts");
            }
            shown.set(posts);
        }

        @Override
        public void showLoading(boolean loading) {
            if (ui != null) {
                ui.check("showLoading");
            }
        }

        @Override
        public void showError(String message) {
            errors.add(message);
        }

        @Override
        public void showPeers(long n) {
            peers = n;
        }

        boolean shows(String text) {
            List<PostItem> l = shown.get();
            if (l == null) {
                return false;
            }
            for (PostItem p : l) {
                if (p.text.equals(text)) {
                    return true;
                }
            }
            return false;
        }
    }

    @Test
    public void postOfFollowedUserArrivesThroughListener() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        NodeClient b = nodes.started(relay + "\n" + a.addrs()); // also bootstraps from the first node
        a.register("alice", "alice-password");
        b.register("bob", "bob-password");

        PeoplePresenter people = new PeoplePresenter(b, ui.executors);
        assertTrue(people.follow("alice"));
        Poll.until("bob follows alice", () -> people.isFollowing("alice"));

        FeedPresenter feedB = new FeedPresenter(b, ui.executors);
        FeedView viewB = new FeedView(ui);
        feedB.attach(viewB);
        Poll.until("bob's first page loaded", () -> !feedB.isLoading() && viewB.shown.get() != null);
        assertFalse(viewB.shows("hello from alice"));

        ComposePresenter compose = new ComposePresenter(a, ui.executors);
        RecordingComposeView composeView = new RecordingComposeView();
        compose.attach(composeView);
        assertTrue(compose.submit("  hello from alice \n"));
        Poll.until("alice's post is sent", () -> composeView.posted.get() != null);
        String id = composeView.posted.get().id;

        // No refresh or loadMore is called from here on: only onPost can bring it.
        Poll.until("the post reaches bob's feed view", () -> viewB.shows("hello from alice"));
        PostItem got = feedB.posts().get(0);
        assertEquals(id, got.id);
        assertEquals("alice", got.author);
        assertEquals("hello from alice", got.text);
        assertEquals(1, countId(feedB.posts(), id));
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());
        assertTrue(viewB.errors.toString(), viewB.errors.isEmpty());

        // A refresh brings the same post from the store: still shown once.
        feedB.refresh();
        Poll.until("refresh done", () -> !feedB.isLoading());
        assertEquals(1, countId(feedB.posts(), id));
        feedB.detach();
    }

    @Test
    public void ownPostShowsInOwnFeed() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        NodeClient a = nodes.started("");
        a.register("carol", "carol-password");
        FeedPresenter feed = new FeedPresenter(a, ui.executors);
        FeedView view = new FeedView(ui);
        feed.attach(view);
        Poll.until("first page loaded", () -> !feed.isLoading());
        a.post("note to self");
        Poll.until("own post in the feed", () -> view.shows("note to self"));
        feed.refresh();
        Poll.until("refresh done", () -> !feed.isLoading());
        assertEquals(1, feed.posts().size());
    }

    @Test
    public void duplicatesFromPageAndListenerShowOnce() {
        FakeClient fake = new FakeClient();
        PostItem p1 = PostItem.of("id1", "alice", "one", 1000);
        PostItem p2 = PostItem.of("id2", "alice", "two", 2000);
        fake.pages.put("", new PostPage(Arrays.asList(p2, p1), ""));
        FeedPresenter feed = new FeedPresenter(fake, AppExecutors.direct());
        FeedView view = new FeedView(null);
        feed.attach(view);
        assertEquals(Arrays.asList(p2, p1), view.shown.get());

        fake.firePost(p2); // already on the page
        fake.firePost(PostItem.of("id3", "bob", "three", 3000));
        fake.firePost(PostItem.of("id3", "bob", "three", 3000)); // delivered twice
        List<PostItem> shown = view.shown.get();
        assertEquals(3, shown.size());
        assertEquals("id3", shown.get(0).id);
        assertEquals("id2", shown.get(1).id);
        assertEquals("id1", shown.get(2).id);
        assertEquals(shown, feed.posts());
    }

    @Test
    public void postArrivingDuringRefreshIsKept() {
        FakeClient fake = new FakeClient();
        fake.pages.put("", new PostPage(Arrays.asList(PostItem.of("old", "a", "old", 1)), ""));
        FeedPresenter feed = new FeedPresenter(fake, AppExecutors.direct());
        FeedView view = new FeedView(null);
        feed.attach(view);
        fake.duringFeed = () -> fake.firePost(PostItem.of("new", "a", "new", 2));
        feed.refresh(); // the page it loads does not hold "new" yet
        assertEquals(2, feed.posts().size());
        assertEquals("new", feed.posts().get(0).id);
    }

    @Test
    public void loadMoreAppendsNextPageAndStopsAtTheEnd() {
        FakeClient fake = new FakeClient();
        fake.pages.put("", new PostPage(Arrays.asList(PostItem.of("3", "a", "c", 3), PostItem.of("2", "a", "b", 2)), "c1"));
        fake.pages.put("c1", new PostPage(Arrays.asList(PostItem.of("2", "a", "b", 2), PostItem.of("1", "a", "a", 1)), ""));
        FeedPresenter feed = new FeedPresenter(fake, AppExecutors.direct(), 2);
        feed.attach(new FeedView(null));
        assertTrue(feed.hasMore());
        assertTrue(feed.loadMore());
        assertEquals(3, feed.posts().size());
        assertFalse(feed.hasMore());
        assertFalse(feed.loadMore());
        assertEquals(1, fake.count("feed c1"));
    }

    @Test
    public void errorIsShownAndListKept() {
        FakeClient fake = new FakeClient();
        fake.pages.put("", new PostPage(Arrays.asList(PostItem.of("1", "a", "a", 1)), ""));
        FeedPresenter feed = new FeedPresenter(fake, AppExecutors.direct());
        FeedView view = new FeedView(null);
        feed.attach(view);
        fake.failNext = new Exception("not logged in: run login or register first");
        feed.refresh();
        assertEquals(Arrays.asList("not logged in: run login or register first"), view.errors);
        assertEquals(1, feed.posts().size());
    }

    static int countId(List<PostItem> posts, String id) {
        int n = 0;
        for (PostItem p : posts) {
            if (p.id.equals(id)) {
                n++;
            }
        }
        return n;
    }

    static final class RecordingComposeView implements ComposePresenter.View {
        final AtomicReference<PostItem> posted = new AtomicReference<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile int used = -1;
        volatile boolean canPost;

        @Override
        public void showCounter(int u, int max, boolean ok) {
            used = u;
            canPost = ok;
        }

        @Override
        public void showPosting(boolean posting) {}

        @Override
        public void showPosted(PostItem post) {
            posted.set(post);
        }

        @Override
        public void showError(String message) {
            errors.add(message);
        }
    }
}
