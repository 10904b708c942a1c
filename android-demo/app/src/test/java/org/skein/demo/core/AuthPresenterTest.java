package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/** Register and login against a real node; input checks on a fake. */
public class AuthPresenterTest {
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

    static final class AuthView implements AuthPresenter.View {
        final UiThread ui;
        final List<String> errors = new CopyOnWriteArrayList<>();
        final AtomicReference<UserItem> loggedIn = new AtomicReference<>();
        final AtomicInteger loggedOut = new AtomicInteger();
        final AtomicReference<List<String>> accounts = new AtomicReference<>();
        volatile boolean busy;

        AuthView(UiThread ui) {
            this.ui = ui;
        }

        private void check(String call) {
            if (ui != null) {
                ui.check(call);
            }
        }

        @Override
        public void showBusy(boolean b) {
            check("showBusy");
            busy = b;
        }

        @Override
        public void showError(String message) {
            check("showError");
            errors.add(message);
        }

        @Override
        public void showLoggedIn(UserItem user) {
            check("showLoggedIn");
            loggedIn.set(user);
        }

        @Override
        public void showLoggedOut() {
            check("showLoggedOut");
            loggedOut.incrementAndGet();
        }

        @Override
        public void showAccounts(List<String> names) {
            check("showAccounts");
            accounts.set(names);
        }
    }

    @Test
    public void registerLogoutWrongPasswordThenLogin() throws Exception {
        // The node is created but not started: the presenter starts it.
        NodeClient client = nodes.client(nodes.config(""));
        AuthPresenter auth = new AuthPresenter(client, ui.executors);
        AuthView view = new AuthView(ui);
        auth.attach(view);
        auth.checkSession(); // node not started: nobody is logged in
        Poll.until("no session", () -> view.loggedOut.get() == 1);
        assertNull(view.loggedIn.get());
        view.loggedOut.set(0);

        auth.register(" Alice ", "correct horse");
        Poll.until("registered", () -> view.loggedIn.get() != null || !view.errors.isEmpty());
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        assertEquals("alice", view.loggedIn.get().name);
        assertTrue(client.isStarted());
        assertEquals("alice", client.status().account);

        auth.logout();
        Poll.until("logged out", () -> view.loggedOut.get() == 1);
        assertEquals("", client.status().account);

        view.loggedIn.set(null);
        auth.login("alice", "wrong horse");
        Poll.until("login refused", () -> !view.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeWrongPassword, ""), view.errors.get(0));
        assertEquals(view.errors.get(0), auth.lastError());
        assertNull(view.loggedIn.get());
        Poll.until("not busy", () -> !auth.isBusy() && !view.busy);

        auth.login("alice", "correct horse");
        Poll.until("logged in", () -> view.loggedIn.get() != null);
        assertEquals("alice", client.status().account);
        assertEquals(1, view.errors.size());
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());

        // The login screen lists the accounts on this phone.
        auth.loadAccounts();
        Poll.until("accounts listed", () -> view.accounts.get() != null);
        assertEquals(Arrays.asList("alice"), view.accounts.get());

        // A new screen finds the session that outlived the old one.
        AuthPresenter again = new AuthPresenter(client, ui.executors);
        AuthView view2 = new AuthView(ui);
        again.attach(view2);
        again.checkSession();
        Poll.until("session found", () -> view2.loggedIn.get() != null);
        assertEquals("alice", view2.loggedIn.get().name);
    }

    @Test
    public void unknownAccountAndDuplicateRegistrationShowTheirCodesMessages() throws Exception {
        NodeClient client = nodes.started("");
        AuthPresenter auth = new AuthPresenter(client, ui.executors);
        AuthView view = new AuthView(ui);
        auth.attach(view);

        auth.login("nobody", "whatever");
        Poll.until("refused", () -> !view.errors.isEmpty());
        assertEquals(Messages.forCode(Mobile.CodeNoAccount, ""), view.errors.get(0));
        assertTrue(view.errors.get(0), view.errors.get(0).contains("restore it"));

        client.register("dave", "dave-password");
        client.logout();
        Poll.until("not busy", () -> !auth.isBusy());
        auth.register("dave", "another-password");
        Poll.until("refused", () -> view.errors.size() == 2);
        assertEquals(Messages.forCode(Mobile.CodeAccountExists, ""), view.errors.get(1));
    }

    @Test
    public void bootstrapFieldRestartsNodeWithNewAddresses() throws Exception {
        NodeClient first = nodes.relay();
        NodeClient client = nodes.fromSettings(new NodeSettings(nodes.dataDir().toString())
                .withListenAddrs(TestNodes.LOOPBACK));
        client.ensureStarted(); // started without bootstrap addresses
        assertEquals("", client.bootstrapAddrs());
        AuthPresenter auth = new AuthPresenter(client, ui.executors);
        AuthView view = new AuthView(ui);
        auth.attach(view);
        auth.register("erin", "erin-password", first.addrs());
        Poll.until("registered", () -> view.loggedIn.get() != null || !view.errors.isEmpty());
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        assertEquals(NodeSettings.normalizeAddrs(first.addrs()), client.bootstrapAddrs());
        Poll.until("connected to the relay", () -> client.status().peers > 0);
    }

    @Test
    public void invalidInputNeverReachesTheNode() {
        FakeClient fake = new FakeClient();
        AuthPresenter auth = new AuthPresenter(fake, AppExecutors.direct());
        AuthView view = new AuthView(null);
        auth.attach(view);

        auth.login("", "pw");
        auth.login("al", "pw");
        auth.login("alice!", "pw");
        auth.login("alice", "");
        auth.register("alice", "short");
        auth.register("alice", "long enough", "not-an-address");
        assertEquals(6, view.errors.size());
        assertEquals("Enter a username", view.errors.get(0));
        assertEquals("A username has 3 to 32 characters", view.errors.get(1));
        assertEquals("A username uses only a-z, 0-9 and _", view.errors.get(2));
        assertEquals("Enter a password", view.errors.get(3));
        assertTrue(view.errors.get(4).startsWith("Choose a password of at least"));
        assertTrue(view.errors.get(5).startsWith("Not a full relay address"));
        assertTrue("node was called: " + fake.calls, fake.calls.isEmpty());

        auth.restorePhrase("alice", "abandon ability able", "long enough", null);
        auth.restorePhrase("alice", FakeClient.PHRASE, "short", null);
        auth.restoreKeyFile(new byte[0], "pw", null);
        assertEquals(9, view.errors.size());
        assertEquals("A recovery phrase has 24 words; this one has 3", view.errors.get(6));
        assertTrue(view.errors.get(7).startsWith("Choose a password of at least"));
        assertEquals("Choose a key file first", view.errors.get(8));
        assertTrue("node was called: " + fake.calls, fake.calls.isEmpty());

        auth.login("@Alice", "pw"); // normalized to alice
        assertEquals("[start, login alice]", fake.calls.toString());
        assertEquals("alice", view.loggedIn.get().name);
    }

    @Test
    public void failureShowsExceptionMessage() {
        FakeClient fake = new FakeClient();
        AuthPresenter auth = new AuthPresenter(fake, AppExecutors.direct());
        AuthView view = new AuthView(null);
        auth.attach(view);
        fake.failNext = new Exception("the network did not answer in time: lookup");
        auth.register("alice", "long enough");
        assertEquals("[the network did not answer in time: lookup]", view.errors.toString());
        assertTrue(!auth.isBusy() && !view.busy);
    }
}
