package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/** Follow and unfollow by name, following and followers lists: real nodes and a relay node. */
public class PeoplePresenterTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    private TestNodes nodes;
    private UiThread ui;

    @Before
    public void setUp() {
        nodes = new TestNodes();
        ui = new UiThread();
    }

    @After
    public void tearDown() throws Exception {
        ui.close();
        nodes.close();
    }

    static final class PeopleView implements PeoplePresenter.View {
        final UiThread ui;
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile List<UserItem> following;
        volatile List<UserItem> followers;

        PeopleView(UiThread ui) {
            this.ui = ui;
        }

        @Override
        public void showFollowing(List<UserItem> users) {
            ui.check("showFollowing");
            following = users;
        }

        @Override
        public void showFollowers(List<UserItem> users) {
            ui.check("showFollowers");
            followers = users;
        }

        @Override
        public void showBusy(boolean busy) {
            ui.check("showBusy");
        }

        @Override
        public void showMessage(String message) {
            ui.check("showMessage");
            messages.add(message);
        }

        @Override
        public void showError(String message) {
            ui.check("showError");
            errors.add(message);
        }
    }

    static boolean has(List<UserItem> users, String name) {
        if (users == null) {
            return false;
        }
        for (UserItem u : users) {
            if (u.name.equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Test
    public void followShowsInBothListsAndUnfollowRemovesIt() throws Exception {
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        NodeClient b = nodes.started(relay + "\n" + a.addrs()); // also bootstraps from the first node
        a.register("alice", "alice-password");
        b.register("bob", "bob-password");

        PeoplePresenter alice = new PeoplePresenter(a, ui.executors);
        PeopleView aliceView = new PeopleView(ui);
        alice.attach(aliceView);
        PeoplePresenter bob = new PeoplePresenter(b, ui.executors);
        PeopleView bobView = new PeopleView(ui);
        bob.attach(bobView);
        Poll.until("lists loaded", () -> aliceView.followers != null && bobView.following != null);
        assertTrue(aliceView.followers.isEmpty());

        assertTrue(bob.follow("@Alice"));
        // (The list and the message are shown in one go on the UI thread: wait for both.)
        Poll.until("bob's following shows alice", () -> has(bobView.following, "alice") && bobView.messages.size() == 1);
        assertTrue(bob.isFollowing("alice"));
        assertEquals("You follow @alice", bobView.messages.get(0));
        // Alice's list reloads when her node reports the new follower: no load() called here.
        Poll.until("alice's followers show bob", () -> has(aliceView.followers, "bob"));
        assertTrue(has(alice.followers(), "bob"));

        assertTrue(bob.unfollow("alice"));
        Poll.until("bob's following is empty again", () -> bobView.following.isEmpty() && bobView.messages.size() == 2);
        assertFalse(bob.isFollowing("alice"));
        assertEquals("You no longer follow @alice", bobView.messages.get(1));

        assertTrue(bob.follow("bob"));
        Poll.until("self-follow refused", () -> !bobView.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeSelfFollow, ""), bobView.errors.get(0));
        assertFalse(bob.follow("x"));
        Poll.until("bad name refused", () -> bobView.errors.size() == 2);
        assertEquals("A username has 3 to 32 characters", bobView.errors.get(1));
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());
        alice.detach();
        bob.detach();
    }
}
