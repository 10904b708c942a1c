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
import org.skein.mobile.Mobile;

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
        final List<String> messages = new CopyOnWriteArrayList<>();
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
            if (ui != null) {
                ui.check("showError");
            }
            errors.add(message);
        }

        @Override
        public void showMessage(String message) {
            if (ui != null) {
                ui.check("showMessage");
            }
            messages.add(message);
        }

        @Override
        public void showPeers(long n) {
            peers = n;
        }

        boolean shows(String text) {
            return find(text) != null;
        }

        /** The shown post of this kind whose row shows text, null if none. */
        PostItem find(String kind, String text) {
            List<PostItem> l = shown.get();
            if (l == null) {
                return null;
            }
            for (PostItem p : l) {
                if (p.kind.equals(kind) && p.displayText().equals(text)) {
                    return p;
                }
            }
            return null;
        }

        PostItem find(String text) {
            List<PostItem> l = shown.get();
            if (l == null) {
                return null;
            }
            for (PostItem p : l) {
                if (p.text.equals(text)) {
                    return p;
                }
            }
            return null;
        }

        boolean showsId(String id) {
            List<PostItem> l = shown.get();
            return l != null && countId(l, id) > 0;
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
        fake.failNext = new Exception("the feed cannot be read");
        feed.refresh();
        assertEquals(Arrays.asList("the feed cannot be read"), view.errors);
        assertEquals(1, feed.posts().size());
    }

    @Test
    public void replyRepostAndDeleteAcrossTwoPhones() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        NodeClient b = nodes.started(relay + "\n" + a.addrs());
        a.register("alice", "alice-password");
        b.register("bob", "bob-password");
        b.follow("alice");

        FeedPresenter feedA = new FeedPresenter(a, ui.executors);
        FeedView viewA = new FeedView(ui);
        feedA.attach(viewA);
        FeedPresenter feedB = new FeedPresenter(b, ui.executors);
        FeedView viewB = new FeedView(ui);
        feedB.attach(viewB);
        Poll.until("first pages loaded", () -> !feedA.isLoading() && !feedB.isLoading());

        PostItem original = a.post("the original");
        Poll.until("alice's post reaches bob", () -> viewB.showsId(original.id));
        PostItem seen = viewB.find("the original");
        assertTrue(feedA.canDelete(viewA.find("the original")));
        assertFalse("bob may delete alice's post", feedB.canDelete(seen));

        // Bob replies on the compose screen.
        ComposePresenter compose = new ComposePresenter(b, ui.executors);
        RecordingComposeView composeView = new RecordingComposeView();
        compose.attach(composeView);
        compose.replyTo(seen.targetId());
        assertTrue(compose.submit("a reply from bob"));
        Poll.until("reply sent", () -> composeView.posted.get() != null || !composeView.errors.isEmpty());
        assertTrue(composeView.errors.toString(), composeView.errors.isEmpty());
        PostItem reply = composeView.posted.get();
        assertEquals(PostItem.REPLY, reply.kind);
        assertEquals(original.id, reply.replyToId);
        assertEquals("alice", reply.replyToAuthor);
        Poll.until("the reply shows in bob's feed", () -> viewB.showsId(reply.id));
        assertTrue(feedB.canDelete(viewB.find("a reply from bob")));

        // Alice is notified of the reply, with its text.
        Poll.until("alice is notified of the reply", () -> {
            for (NotificationItem n : a.notifications(10, false)) {
                if (n.kind.equals("reply") && n.describe().equals("@bob replied: a reply from bob")) {
                    return true;
                }
            }
            return false;
        });

        // Bob reposts: the repost has no text of its own, and shows the original's.
        feedB.repost(seen);
        Poll.until("repost shown", () -> viewB.find(PostItem.REPOST, "the original") != null || !viewB.errors.isEmpty());
        assertTrue(viewB.errors.toString(), viewB.errors.isEmpty());
        PostItem repost = viewB.find(PostItem.REPOST, "the original");
        assertEquals("", repost.text);
        assertEquals(original.id, repost.repostOfId);
        assertEquals("@alice", repost.targetByline());
        assertEquals(original.id, repost.targetId());
        Poll.until("confirmed", () -> viewB.messages.contains("Reposted @alice's post to your followers"));

        // Bob cannot delete alice's post: the node refuses, and the message says why.
        feedB.delete(seen);
        Poll.until("refused", () -> !viewB.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeNotYours, ""), viewB.errors.get(0));
        assertTrue(viewB.showsId(original.id));

        // Alice deletes it: gone from her feed at once, from bob's through onDelete alone.
        feedA.delete(viewA.find("the original"));
        Poll.until("gone from alice's feed", () -> !viewA.showsId(original.id) && viewA.messages.contains("Post deleted"));
        Poll.until("gone from bob's feed", () -> !viewB.showsId(original.id));
        assertTrue("bob's repost stays", viewB.showsId(repost.id));
        for (PostItem p : viewB.shown.get()) {
            if (p.id.equals(repost.id)) {
                assertFalse(p.originalAvailable());
                assertTrue(p.displayText(), p.displayText().startsWith("(the original post is not available"));
            }
        }
        feedB.refresh();
        Poll.until("refreshed", () -> !feedB.isLoading());
        assertFalse(viewB.showsId(original.id));

        // Bob deletes his own repost.
        for (PostItem p : feedB.posts()) {
            if (p.id.equals(repost.id)) {
                feedB.delete(p);
            }
        }
        Poll.until("repost deleted", () -> !viewB.showsId(repost.id));
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());
        feedA.detach();
        feedB.detach();
    }

    static PostItem by(String id, String key, String text, long time) {
        return new PostItem(id, PostItem.POST, "someone", key, text, 0, time, "", "");
    }

    @Test
    public void deletedPostLeavesAndStaysOut() {
        FakeClient fake = new FakeClient();
        PostItem p1 = PostItem.of("p1", "alice", "one", 1000);
        PostItem r1 = PostItem.repostOf("r1", "bob", 2000, p1);
        fake.pages.put("", new PostPage(Arrays.asList(r1, p1), ""));
        FeedPresenter feed = new FeedPresenter(fake, AppExecutors.direct());
        FeedView view = new FeedView(null);
        feed.attach(view);
        assertEquals(2, view.shown.get().size());
        assertEquals("one", view.shown.get().get(0).displayText());

        fake.fireDelete(new PostItem("p1", PostItem.POST, "alice", "", "", 0, 0, "", ""));
        assertEquals(1, view.shown.get().size());
        PostItem left = view.shown.get().get(0);
        assertEquals("r1", left.id);
        assertFalse(left.originalAvailable());

        fake.firePost(p1); // a late copy of the deleted post
        feed.refresh(); // and a page that still holds it
        assertEquals(Arrays.asList("r1"), ids(feed.posts()));
        assertFalse(feed.posts().get(0).originalAvailable());
    }

    @Test
    public void ownPostsMayBeDeletedAndReposted() {
        FakeClient fake = new FakeClient();
        fake.statusKey = "my-key";
        PostItem mine = by("m", "my-key", "mine", 2000);
        PostItem theirs = by("t", "their-key", "theirs", 1000);
        fake.pages.put("", new PostPage(Arrays.asList(mine, theirs), ""));
        FeedPresenter feed = new FeedPresenter(fake, AppExecutors.direct());
        FeedView view = new FeedView(null);
        feed.attach(view);
        assertTrue(feed.canDelete(mine));
        assertFalse(feed.canDelete(theirs));
        assertFalse(feed.canDelete(null));

        feed.delete(mine);
        assertEquals(Arrays.asList("t"), ids(feed.posts()));
        assertEquals(Arrays.asList("Post deleted"), view.messages);

        feed.repost(theirs);
        assertEquals(2, feed.posts().size());
        assertEquals(PostItem.REPOST, feed.posts().get(0).kind);
        assertEquals("[status, feed , delete m, repost t]", fake.calls.toString());

        // A repost of a repost shares its original.
        feed.repost(feed.posts().get(0));
        assertEquals("repost t", fake.calls.get(fake.calls.size() - 1));
    }

    @Test
    public void timelineLoadsOneUsersPagesAndKeepsOnlyTheirLivePosts() {
        FakeClient fake = new FakeClient();
        fake.pages.put("", new PostPage(Arrays.asList(PostItem.of("a2", "alice", "two", 2)), "c1"));
        fake.pages.put("c1", new PostPage(Arrays.asList(PostItem.of("a1", "alice", "one", 1)), ""));
        FeedPresenter timeline = new FeedPresenter(fake, AppExecutors.direct(), FeedPresenter.timeline("@Alice"), 1);
        FeedView view = new FeedView(null);
        timeline.attach(view);
        assertTrue(timeline.loadMore());
        assertEquals(Arrays.asList("a2", "a1"), ids(timeline.posts()));
        fake.firePost(PostItem.of("b1", "bob", "not alice's", 3));
        fake.firePost(PostItem.of("a3", "alice", "three", 3));
        assertEquals(Arrays.asList("a3", "a2", "a1"), ids(view.shown.get()));
        assertEquals("[status, timeline alice , timeline alice c1]", fake.calls.toString());
    }

    static List<String> ids(List<PostItem> posts) {
        List<String> out = new java.util.ArrayList<>();
        for (PostItem p : posts) {
            out.add(p.id);
        }
        return out;
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
