package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Notifications: a new follower is reported live on a real node; merging on a fake. */
public class NotificationsPresenterTest {
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

    static final class NotesView implements NotificationsPresenter.View {
        final UiThread ui;
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile List<NotificationItem> shown;

        NotesView(UiThread ui) {
            this.ui = ui;
        }

        @Override
        public void showNotifications(List<NotificationItem> items) {
            if (ui != null) {
                ui.check("showNotifications");
            }
            shown = items;
        }

        @Override
        public void showError(String message) {
            errors.add(message);
        }
    }

    @Test
    public void newFollowerIsNotifiedLive() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        String relay = nodes.relay().addrs();
        NodeClient a = nodes.started(relay);
        NodeClient b = nodes.started(relay + "\n" + a.addrs()); // also bootstraps from the first node
        a.register("alice", "alice-password");
        b.register("bob", "bob-password");

        NotificationsPresenter notes = new NotificationsPresenter(a, ui.executors, true);
        NotesView view = new NotesView(ui);
        notes.attach(view);
        Poll.until("first load", () -> view.shown != null);
        assertTrue(view.shown.isEmpty());

        b.follow("alice");
        Poll.until("alice is told bob follows her", () -> view.shown != null && !view.shown.isEmpty());
        NotificationItem n = view.shown.get(0);
        assertEquals("follower", n.kind);
        assertEquals("bob", n.fromName);
        assertEquals("@bob followed you", n.describe());

        // Loading again (marking read) keeps one entry per notification.
        notes.load();
        Poll.until("reloaded as read", () -> a.status().unread == 0);
        notes.load();
        Poll.until("the list shows it read", () -> view.shown.size() == 1 && view.shown.get(0).read);
        assertEquals(0, notes.unreadCount());
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());
        notes.detach();
    }

    @Test
    public void mergesByIdNewestFirst() {
        FakeClient fake = new FakeClient();
        NotificationsPresenter notes = new NotificationsPresenter(fake, AppExecutors.direct(), false);
        NotesView view = new NotesView(null);
        notes.attach(view);
        NotificationItem n1 = new NotificationItem("n1", "follower", "bob", "", "", "", 10, false);
        NotificationItem n2 = new NotificationItem("n2", "reply", "carol", "", "p", "hi", 20, false);
        fake.fireNotification(n1);
        fake.fireNotification(n2);
        fake.fireNotification(n1);
        assertEquals(Arrays.asList(n2, n1), view.shown);
        assertEquals(2, notes.unreadCount());
        notes.add(Arrays.asList(n1.asRead()));
        assertEquals(1, notes.unreadCount());
        assertTrue(view.shown.get(1).read);
        notes.detach();
        fake.fireNotification(new NotificationItem("n3", "mention", "dan", "", "p2", "@me", 30, false));
        assertEquals(2, notes.items().size()); // detached: no longer listening
    }

    @Test
    public void describesEveryKind() {
        assertEquals("@bob unfollowed you", new NotificationItem("1", "unfollow", "bob", "", "", "", 0, false).describe());
        assertEquals("@bob replied: yes", new NotificationItem("1", "reply", "bob", "", "p", "yes", 0, false).describe());
        assertEquals("@bob reposted: yes", new NotificationItem("1", "repost", "bob", "", "p", "yes", 0, false).describe());
        assertEquals("@bob mentioned you: hi @al", new NotificationItem("1", "mention", "bob", "", "p", "hi @al", 0, false).describe());
        assertTrue(new NotificationItem("1", "fork", "bob", "", "", "", 0, false).describe().contains("forked"));
        assertEquals("someone followed you", new NotificationItem("1", "follower", "", "", "", "", 0, false).describe());
        assertFalse(new NotificationItem("1", "follower", "", "", "", "", 0, false).read);
    }
}
