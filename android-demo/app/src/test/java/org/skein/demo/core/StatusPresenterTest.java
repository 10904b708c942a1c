package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** The status screen: a real node's status, rows and connections; reachability in words. */
public class StatusPresenterTest {
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

    static final class StatusView implements StatusPresenter.View {
        final UiThread ui;
        final List<String> errors = new CopyOnWriteArrayList<>();
        volatile StatusInfo status;
        volatile List<String[]> rows;
        volatile List<ConnectionItem> connections;

        StatusView(UiThread ui) {
            this.ui = ui;
        }

        @Override
        public void showStatus(StatusInfo s, List<String[]> r, List<ConnectionItem> c) {
            ui.check("showStatus");
            status = s;
            rows = r;
            connections = c;
        }

        @Override
        public void showError(String message) {
            ui.check("showError");
            errors.add(message);
        }

        String row(String label) {
            for (String[] r : rows) {
                if (r[0].equals(label)) {
                    return r[1];
                }
            }
            return null;
        }
    }

    @Test
    public void showsTheNodeAndItsConnections() throws Exception {
        nodes = new TestNodes();
        ui = new UiThread();
        NodeClient relay = nodes.relay();
        String relayId = relay.status().peerId;
        NodeClient a = nodes.started(relay.addrs());
        a.register("alice", "alice-password");
        StatusPresenter presenter = new StatusPresenter(a, ui.executors);
        StatusView view = new StatusView(ui);
        presenter.attach(view);
        // Reloaded on connectivity changes: no load() called here.
        Poll.until("connected to the relay", () -> {
            List<ConnectionItem> c = view.connections;
            return c != null && !c.isEmpty() && c.get(0).peer.equals(relayId);
        });
        assertTrue(view.errors.toString(), view.errors.isEmpty());
        ConnectionItem c = view.connections.get(0);
        assertEquals("outbound", c.direction);
        assertFalse(c.relayed);
        assertTrue(c.addr, c.addr.startsWith("/ip4/127.0.0.1/"));
        assertTrue(c.describe(), c.describe().contains("outbound · direct"));

        StatusInfo st = view.status;
        assertEquals("alice", st.account);
        assertFalse(st.key.isEmpty());
        assertNotNull(st.reachability);
        assertEquals("@alice", view.row("Account"));
        assertEquals(st.describeReachability(), view.row("Reachability"));
        assertEquals("client", view.row("DHT mode"));
        assertEquals("alice", view.row("Accounts on this phone"));
        assertEquals("foreground: posts arrive live", view.row("Power mode"));
        assertTrue(view.row("Listening on").contains("/p2p/" + st.peerId));
        assertTrue("view calls off the UI thread: " + ui.offUiCalls, ui.offUiCalls.isEmpty());
        presenter.detach();
    }

    @Test
    public void reachabilityInWords() {
        StatusInfo.Builder b = new StatusInfo.Builder();
        assertTrue(b.build().describeReachability().startsWith("Reachability not known yet"));
        assertTrue(b.reachability("public").build().describeReachability().startsWith("Reachable directly"));
        assertEquals("Behind a NAT: others reach this phone through relays (no relay yet, so others cannot "
                + "reach it until one is found).", b.reachability("private").build().describeReachability());
        assertEquals("Behind a NAT: others reach this phone through relays (2 relays), then directly by hole "
                + "punching.", b.relays(Arrays.asList("r1", "r2")).holePunch(true).build().describeReachability());
        List<String[]> rows = StatusPresenter.rows(b.build());
        assertEquals("nobody is logged in", rows.get(0)[1]);
        assertEquals("r1\nr2", rowOf(rows, "Relays"));
    }

    static String rowOf(List<String[]> rows, String label) {
        for (String[] r : rows) {
            if (r[0].equals(label)) {
                return r[1];
            }
        }
        return null;
    }
}
