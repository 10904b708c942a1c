package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.Executor;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Config;
import org.skein.mobile.Mobile;

/** The periodic background job's logic: start the node, background it, see one wake. */
public class BackgroundSyncTest {
    /** Every wait is bounded; this also bounds a node call that would hang. */
    @Rule
    public final Timeout timeout = Timeout.seconds(90);

    private static final Executor DIRECT = Runnable::run;
    private TestNodes nodes;

    @After
    public void tearDown() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    public void startsStoppedNodeInBackgroundAndSeesItsWake() throws Exception {
        nodes = new TestNodes();
        Config cfg = nodes.config(nodes.relay().addrs());
        cfg.setPowerMode(Mobile.powerOff()); // as if the process had just been started for the job
        NodeClient client = nodes.client(cfg);
        PowerController power = new PowerController(client, DIRECT);
        BackgroundSync sync = new BackgroundSync(client, power);

        long t0 = System.nanoTime();
        BackgroundSync.Outcome out = sync.run(20_000);
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("error: " + sync.lastError(), BackgroundSync.Outcome.WOKE, out);
        assertTrue("took " + took + " ms", took < 20_000);
        assertTrue(client.isStarted());
        assertEquals(Mobile.powerBackground(), client.node().status().getPower());

        // Run again: the node is running in background; the job restarts its
        // timer and waits (here 1 s) — its last sync is fresh, so it may not wake.
        BackgroundSync.Outcome again = sync.run(1_000);
        assertTrue("outcome " + again + " " + sync.lastError(),
                again == BackgroundSync.Outcome.WOKE || again == BackgroundSync.Outcome.NO_WAKE_SEEN);
        assertEquals(Mobile.powerBackground(), client.node().status().getPower());
    }

    @Test
    public void doesNothingWhileAppIsVisible() throws Exception {
        nodes = new TestNodes();
        NodeClient client = nodes.started("");
        PowerController power = new PowerController(client, DIRECT);
        power.onForeground();
        BackgroundSync sync = new BackgroundSync(client, power);
        assertEquals(BackgroundSync.Outcome.SKIPPED_FOREGROUND, sync.run(5_000));
        assertEquals(Mobile.powerForeground(), client.node().status().getPower());
        assertNull(sync.lastError());
    }

    @Test
    public void offlineAndFailuresAreReported() {
        FakeClient fake = new FakeClient();
        PowerController power = new PowerController(fake, DIRECT);
        BackgroundSync sync = new BackgroundSync(fake, power);
        power.onNetwork(NetworkType.NONE);
        assertEquals(BackgroundSync.Outcome.OFFLINE, sync.run(1_000));
        assertTrue(fake.calls.isEmpty());

        power.onNetwork(NetworkType.WIFI);
        fake.failNext = new Exception("no data directory configured");
        assertEquals(BackgroundSync.Outcome.FAILED, sync.run(1_000));
        assertEquals("no data directory configured", sync.lastError());
        assertTrue(fake.events.size() == 1); // only the controller's: the job's watcher is removed
    }

    @Test
    public void fakeWakeIsSeen() {
        FakeClient fake = new FakeClient() {
            @Override
            public void setPowerMode(PowerMode mode) throws Exception {
                super.setPowerMode(mode);
                if (mode == PowerMode.BACKGROUND) { // the node wakes at once
                    fireConnectivity(1);
                    fireConnectivity(0);
                }
            }
        };
        PowerController power = new PowerController(fake, DIRECT);
        BackgroundSync sync = new BackgroundSync(fake, power);
        assertEquals(BackgroundSync.Outcome.WOKE, sync.run(1_000));
        assertEquals(PowerMode.BACKGROUND, power.appliedPowerMode());
        // Already in background: the loop is restarted (off, then background).
        fake.calls.clear();
        assertEquals(BackgroundSync.Outcome.WOKE, sync.run(1_000));
        assertEquals("[start, power OFF, power BACKGROUND]", fake.calls.toString());
    }
}
