package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/** The client over the binding: start, restart on new bootstrap addresses, events across restarts, close. */
public class NodeClientTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    private TestNodes nodes;

    @After
    public void tearDown() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    public void restartsOnNewBootstrapAndKeepsEvents() throws Exception {
        nodes = new TestNodes();
        String boot = nodes.relay().addrs();
        NodeClient client = nodes.fromSettings(new NodeSettings(nodes.dataDir().toString())
                .withListenAddrs(TestNodes.LOOPBACK));
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger peersSeen = new AtomicInteger(-1);
        client.addEvents(new SkeinEvents() {
            @Override
            public void onStarted() {
                starts.incrementAndGet();
            }

            @Override
            public void onConnectivity(long peers) {
                peersSeen.set((int) peers);
            }
        });
        assertFalse(client.isStarted());
        assertEquals("", client.addrs());
        client.ensureStarted();
        client.ensureStarted(); // idempotent
        assertTrue(client.isStarted());
        assertEquals(1, starts.get());
        assertTrue(client.addrs().contains("/p2p/"));
        String peerId = client.status().peerId;

        client.setBootstrapAddrs(boot);
        assertEquals(2, starts.get());
        assertTrue(client.isStarted());
        assertEquals(peerId, client.status().peerId); // same data dir, same device key
        Poll.until("the new node's events reach the old listener", () -> peersSeen.get() > 0);

        client.setBootstrapAddrs(boot.replace("\n", ", ")); // the same list: no restart
        assertEquals(2, starts.get());

        StatusInfo st = client.status();
        assertEquals(PowerMode.FOREGROUND, st.powerMode);
        assertEquals(NetworkType.WIFI, st.networkType);
        assertFalse(st.loggedIn());
        assertEquals("client", st.dhtMode);
        assertFalse(st.addrs.isEmpty());
        assertTrue(st.addrs.get(0), st.addrs.get(0).endsWith("/p2p/" + st.peerId));
        assertTrue(st.accounts.isEmpty());

        client.close();
        assertFalse(client.isStarted());
        try {
            client.ensureStarted();
            fail("started after close");
        } catch (Exception e) {
            // The closed node's own error, with its code.
            assertEquals(Mobile.CodeClosed, Mobile.errorCode(e));
        }
    }

    @Test
    public void wrappedNodeKeepsItsBootstrap() throws Exception {
        nodes = new TestNodes();
        NodeClient client = nodes.started("");
        client.setBootstrapAddrs(""); // nothing to change
        try {
            client.setBootstrapAddrs("/ip4/127.0.0.1/tcp/1/p2p/12D3KooWabc");
            fail("changed the bootstrap of a node made elsewhere");
        } catch (IllegalStateException expected) {
            // fine
        }
        assertEquals(Mobile.powerForeground(), client.node().status().getPower());
    }

    @Test
    public void powerModesAndNetworkTypesMapBothWays() {
        for (PowerMode m : PowerMode.values()) {
            assertEquals(m, NodeClient.powerMode(NodeClient.toBinding(m)));
        }
        for (NetworkType t : NetworkType.values()) {
            assertEquals(t, NodeClient.networkType(NodeClient.toBinding(t)));
        }
        assertEquals(Mobile.powerBackground(), NodeClient.toBinding(PowerMode.BACKGROUND));
        assertEquals(Mobile.networkCellular(), NodeClient.toBinding(NetworkType.CELLULAR));
        org.skein.mobile.PowerMode odd = new org.skein.mobile.PowerMode();
        odd.setName("turbo");
        try {
            NodeClient.powerMode(odd);
            fail("mapped an unknown power mode");
        } catch (IllegalArgumentException expected) {
            assertEquals("unknown power mode turbo", expected.getMessage());
        }
    }
}
