package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/** Profile pages: whois header, follow/unfollow button and the user's timeline, on real nodes. */
public class ProfilePresenterTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(120);

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

    static final class ProfileView implements ProfilePresenter.View {
        final UiThread ui;
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile ProfileInfo profile;
        volatile ProfilePresenter.Relation relation;
        volatile boolean busy;

        ProfileView(UiThread ui) {
            this.ui = ui;
        }

        private void check(String call) {
            if (ui != null) {
                ui.check(call);
            }
        }

        @Override
        public void showProfile(ProfileInfo p, ProfilePresenter.Relation r) {
            check("showProfile");
            profile = p;
            relation = r;
        }

        @Override
        public void showBusy(boolean b) {
            check("showBusy");
            busy = b;
        }

        @Override
        public void showMessage(String message) {
            check("showMessage");
            messages.add(message);
        }

        @Override
        public void showError(String message) {
            check("showError");
            errors.add(message);
        }
    }

    @Test
    public void headerFollowButtonAndPagedTimeline() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        NodeClient b = nodes.started(relay + "\n" + a.addrs());
        UserItem alice = a.register("alice", "alice-password");
        b.register("bob", "bob-password");
        a.post("one");
        a.post("two");
        a.post("three");

        // Bob opens Alice's profile (tapped "@Alice").
        ProfilePresenter profile = new ProfilePresenter(b, ui.executors, "@Alice");
        assertEquals("alice", profile.name());
        ProfileView view = new ProfileView(ui);
        profile.attach(view);
        Poll.until("profile loaded", () -> view.profile != null || !view.errors.isEmpty());
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        assertEquals("alice", view.profile.name);
        assertEquals(alice.key, view.profile.key);
        assertEquals(ProfilePresenter.Relation.NOT_FOLLOWING, view.relation);
        assertFalse(view.profile.pinned);
        assertFalse(view.profile.presence(System.currentTimeMillis()).isEmpty());
        assertTrue(view.profile.heldDescription(), view.profile.heldDescription().startsWith("This phone holds"));

        // Follow: the button turns to unfollow, and the name is pinned to her key.
        assertTrue(profile.toggleFollow());
        // (The header and the message are shown in one go on the UI thread: wait for both.)
        Poll.until("followed", () -> view.relation == ProfilePresenter.Relation.FOLLOWING && view.messages.size() == 1);
        assertEquals("You follow @alice", view.messages.get(0));
        assertTrue(view.profile.pinned);
        assertEquals("alice", b.following().get(0).name);

        // Following fetches her log: the header says how much this phone holds.
        Poll.until("her log is held", () -> {
            if (!profile.isBusy()) {
                profile.load();
            }
            Thread.sleep(300);
            return view.profile.held >= 3;
        });
        assertTrue(view.profile.heldDescription(), view.profile.heldDescription().contains("holds"));

        // Her timeline, two posts a page.
        FeedPresenter timeline = new FeedPresenter(b, ui.executors, FeedPresenter.timeline(profile.name()), 2);
        FeedPresenterTest.FeedView posts = new FeedPresenterTest.FeedView(ui);
        timeline.attach(posts);
        Poll.until("first page", () -> !timeline.isLoading());
        assertTrue(posts.errors.toString(), posts.errors.isEmpty());
        assertEquals(Arrays.asList("three", "two"), texts(timeline.posts()));
        assertTrue(timeline.hasMore());
        assertTrue(timeline.loadMore());
        Poll.until("second page", () -> !timeline.isLoading() && !timeline.hasMore());
        assertEquals(Arrays.asList("three", "two", "one"), texts(timeline.posts()));
        assertFalse(timeline.canDelete(timeline.posts().get(0))); // Alice's, seen by Bob

        // A live post of hers joins the timeline; Bob's own does not.
        a.post("four");
        b.post("bob's own");
        Poll.until("her live post shows", () -> posts.shows("four"));
        assertFalse(posts.shows("bob's own"));

        Poll.until("not busy", () -> !profile.isBusy());
        assertTrue(profile.toggleFollow());
        Poll.until("unfollowed", () -> view.relation == ProfilePresenter.Relation.NOT_FOLLOWING && view.messages.size() == 2);
        assertEquals("You no longer follow @alice", view.messages.get(1));
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());

        // Her own profile has no follow button.
        ProfilePresenter own = new ProfilePresenter(a, ui.executors, "alice");
        ProfileView ownView = new ProfileView(ui);
        own.attach(ownView);
        Poll.until("own profile loaded", () -> ownView.relation != null || !ownView.errors.isEmpty());
        assertEquals(ProfilePresenter.Relation.SELF, ownView.relation);
        assertFalse(own.toggleFollow());

        // Nobody by that name: the code's message.
        ProfilePresenter nobody = new ProfilePresenter(b, ui.executors, "nobody");
        ProfileView nobodyView = new ProfileView(ui);
        nobody.attach(nobodyView);
        Poll.until("lookup failed", () -> !nobodyView.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeUnknownName, ""), nobodyView.errors.get(0));
        assertNull(nobody.relation());
        assertFalse(nobody.toggleFollow());
        timeline.detach();
    }

    @Test
    public void invalidNameNeverReachesTheNode() {
        FakeClient fake = new FakeClient();
        ProfilePresenter p = new ProfilePresenter(fake, AppExecutors.direct(), "x");
        ProfileView view = new ProfileView(null);
        p.attach(view);
        assertEquals(Arrays.asList("A username has 3 to 32 characters"), view.errors);
        assertTrue(fake.calls.isEmpty());
    }

    @Test
    public void headerSentences() {
        long now = 1_000_000_000L;
        ProfileInfo p = new ProfileInfo("alice", "0123456789abcdef0123", "", null, 0, 7, 3, true, false, now - 5 * 60_000L);
        assertEquals("Last seen 5 minutes ago", p.presence(now));
        assertEquals("This phone holds 3 of the 7 entries of their log.", p.heldDescription());
        assertEquals("0123456789abcdef…", p.shortKey());
        assertTrue(p.pinnedDescription().startsWith("Pinned"));
        assertEquals("Online now", new ProfileInfo("a", "k", "", null, 0, 0, 0, false, true, 0).presence(now));
        assertEquals("Never seen online", new ProfileInfo("a", "k", "", null, 0, 0, 0, false, false, 0).presence(now));
        assertEquals("This phone holds none of their log yet.", new ProfileInfo("a", "k", "", null, 0, 0, 0, false, false, 0).heldDescription());
        assertEquals("This phone holds all 7 entries of their log.", new ProfileInfo("a", "k", "", null, 0, 7, 7, false, false, 0).heldDescription());
        assertEquals("This phone holds 1 entry of their log.", new ProfileInfo("a", "k", "", null, 0, 0, 1, false, false, 0).heldDescription());
        assertEquals("just now", ProfileInfo.ago(-5000)); // a clock ahead of ours
        assertEquals("1 hour ago", ProfileInfo.ago(61 * 60_000L));
        assertEquals("2 days ago", ProfileInfo.ago(49 * 3_600_000L));
        assertEquals("up to date (7 entries)", new LogInfo(1, 7, 7, false).describe());
        assertEquals("has entries 3–5 of 7", new LogInfo(3, 5, 7, false).describe());
        assertEquals("has none of 2 entries yet", new LogInfo(0, 0, 2, false).describe());
        assertEquals("up to date (entries 3–7, older ones trimmed)", new LogInfo(3, 7, 7, true).describe());
    }

    static List<String> texts(List<PostItem> posts) {
        List<String> out = new java.util.ArrayList<>();
        for (PostItem p : posts) {
            out.add(p.displayText());
        }
        return out;
    }
}
