package org.skein.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.Executor;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.skein.mobile.Mobile;

/** Lifecycle and network → power mode and network type: on a real node, and de-duplication on a fake. */
public class PowerControllerTest {
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
    public void switchesRealNodesModes() throws Exception {
        nodes = new TestNodes();
        NodeClient client = nodes.client(nodes.config(""));
        PowerController power = new PowerController(client, DIRECT);
        power.onForeground();
        power.onNetwork(NetworkType.CELLULAR);
        assertNull(power.appliedPowerMode()); // not started: nothing sent yet

        client.ensureStarted(); // onStarted sends the current state
        assertEquals(Mobile.powerForeground(), client.node().status().getPower());
        assertEquals(Mobile.networkCellular(), client.node().status().getNetwork());

        power.onBackground();
        assertEquals(Mobile.powerBackground(), client.node().status().getPower());
        assertEquals(PowerMode.BACKGROUND, client.status().powerMode);

        power.onNetwork(NetworkType.classify(true, true));
        assertEquals(Mobile.networkWiFi(), client.node().status().getNetwork());
        power.onNetwork(NetworkType.classify(false, false));
        assertEquals(Mobile.networkNone(), client.node().status().getNetwork());

        power.onForeground();
        assertEquals(Mobile.powerForeground(), client.node().status().getPower());
        assertNull(power.lastError());
    }

    @Test
    public void repeatedStatesAreSentOnce() throws Exception {
        FakeClient fake = new FakeClient();
        PowerController power = new PowerController(fake, DIRECT);
        power.onForeground();
        power.onNetwork(NetworkType.WIFI);
        assertTrue("nothing is sent before the node starts: " + fake.calls, fake.calls.isEmpty());

        fake.ensureStarted();
        assertEquals("[start, network WIFI, power FOREGROUND]", fake.calls.toString());
        fake.calls.clear();

        power.onForeground();
        power.onForeground();
        power.onNetwork(NetworkType.WIFI);
        assertTrue("repeats were sent: " + fake.calls, fake.calls.isEmpty());

        power.onBackground();
        power.onBackground();
        power.onNetwork(NetworkType.CELLULAR);
        power.onNetwork(NetworkType.CELLULAR);
        power.onNetwork(NetworkType.NONE);
        power.onForeground();
        assertEquals("[power BACKGROUND, network CELLULAR, network NONE, power FOREGROUND]", fake.calls.toString());
    }

    @Test
    public void failedCallIsRetriedOnNextEvent() throws Exception {
        FakeClient fake = new FakeClient();
        PowerController power = new PowerController(fake, DIRECT);
        fake.ensureStarted(); // desired: background (the app is not visible yet)
        assertEquals(PowerMode.BACKGROUND, power.appliedPowerMode());
        fake.calls.clear();
        fake.failNext = new Exception("node is closed");
        power.onForeground();
        assertEquals("node is closed", power.lastError());
        assertNull(power.appliedPowerMode());
        power.onForeground(); // the same state again: sent again, since the last try failed
        assertEquals("[power FOREGROUND, power FOREGROUND]", fake.calls.toString());
        assertEquals(PowerMode.FOREGROUND, power.appliedPowerMode());
    }

    @Test
    public void reapplyAfterRestartSendsEverythingAgain() throws Exception {
        FakeClient fake = new FakeClient();
        PowerController power = new PowerController(fake, DIRECT);
        power.onNetwork(NetworkType.WIFI);
        fake.ensureStarted();
        fake.calls.clear();
        power.reapply();
        assertEquals("[network WIFI, power BACKGROUND]", fake.calls.toString());
    }

    @Test
    public void classifiesNetworks() {
        assertEquals(NetworkType.WIFI, NetworkType.classify(true, true));
        assertEquals(NetworkType.CELLULAR, NetworkType.classify(true, false));
        assertEquals(NetworkType.NONE, NetworkType.classify(false, true));
        assertEquals(NetworkType.NONE, NetworkType.classify(false, false));
    }
}
