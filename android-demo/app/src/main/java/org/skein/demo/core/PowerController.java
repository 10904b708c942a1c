package org.skein.demo.core;

import java.util.concurrent.Executor;

/**
 * Maps the app's lifecycle and the device's network to the node's power
 * mode and network type:
 * <ul>
 * <li>the app comes to the foreground (ProcessLifecycleOwner onStart) → PowerForeground;</li>
 * <li>the app goes to the background (onStop) → PowerBackground;</li>
 * <li>an unmetered network → NetworkWiFi, a metered one → NetworkCellular,
 *     none → NetworkNone (see {@link NetworkType#classify}).</li>
 * </ul>
 * It remembers what the node was last told and skips repeated states, so
 * lifecycle and network callbacks may fire as often as they like. Nothing is
 * sent before the node is started; once it starts (SkeinEvents.onStarted)
 * the current state is sent. A failed call is retried on the next change.
 *
 * <p>Node calls run on the executor given (a single background thread on
 * Android; a direct executor in tests), one at a time.
 */
public final class PowerController {
    private final SkeinClient client;
    private final Executor executor;
    private final Runnable apply = new Runnable() {
        @Override
        public void run() {
            applyNow();
        }
    };

    private final Object state = new Object();
    private boolean foreground; // the app is visible; guarded by state
    private NetworkType network; // null until known; guarded by state

    private final Object calls = new Object(); // serializes node calls
    private PowerMode appliedPower; // what the node was last told; null = unknown; guarded by calls
    private NetworkType appliedNetwork; // guarded by calls
    private volatile String lastError;

    public PowerController(SkeinClient client, Executor executor) {
        this.client = client;
        this.executor = executor;
        client.addEvents(new SkeinEvents() {
            @Override
            public void onStarted() {
                reapply();
            }
        });
    }

    /** The app became visible. */
    public void onForeground() {
        synchronized (state) {
            foreground = true;
        }
        executor.execute(apply);
    }

    /** The app is no longer visible. */
    public void onBackground() {
        synchronized (state) {
            foreground = false;
        }
        executor.execute(apply);
    }

    /** The device's network changed. */
    public void onNetwork(NetworkType type) {
        if (type == null) {
            throw new IllegalArgumentException("no network type given");
        }
        synchronized (state) {
            network = type;
        }
        executor.execute(apply);
    }

    /** Forgets what the node was told and tells it again (after a node (re)start). */
    public void reapply() {
        synchronized (calls) {
            appliedPower = null;
            appliedNetwork = null;
        }
        executor.execute(apply);
    }

    public boolean isForeground() {
        synchronized (state) {
            return foreground;
        }
    }

    /** The network last reported, null if none yet. */
    public NetworkType network() {
        synchronized (state) {
            return network;
        }
    }

    /** The power mode the app's state asks for. */
    public PowerMode desiredPowerMode() {
        return isForeground() ? PowerMode.FOREGROUND : PowerMode.BACKGROUND;
    }

    /** The power mode the node was last set to by this controller, null if unknown. */
    public PowerMode appliedPowerMode() {
        synchronized (calls) {
            return appliedPower;
        }
    }

    /** The message of the last failed node call, null if none. */
    public String lastError() {
        return lastError;
    }

    /**
     * Sends the node what differs from what it was last told. Runs on the
     * calling thread; the public methods run it on the executor.
     */
    public void applyNow() {
        synchronized (calls) {
            if (!client.isStarted()) {
                return;
            }
            PowerMode wantPower;
            NetworkType wantNetwork;
            synchronized (state) {
                wantPower = foreground ? PowerMode.FOREGROUND : PowerMode.BACKGROUND;
                wantNetwork = network;
            }
            if (wantNetwork != null && wantNetwork != appliedNetwork) {
                try {
                    client.setNetworkType(wantNetwork);
                    appliedNetwork = wantNetwork;
                } catch (Exception e) {
                    appliedNetwork = null;
                    lastError = Messages.of(e);
                }
            }
            if (wantPower != appliedPower) {
                try {
                    client.setPowerMode(wantPower);
                    appliedPower = wantPower;
                } catch (Exception e) {
                    appliedPower = null;
                    lastError = Messages.of(e);
                }
            }
        }
    }

    /**
     * For the periodic background job, on its own thread: unless the app is
     * in the foreground (then the node is live already and this returns
     * false), puts the node in PowerBackground. With restartLoop, a node
     * that was in PowerBackground already is switched off and back on:
     * that restarts its wake timer, and a node whose last sync is older
     * than its interval wakes for one at once, even if the device slept
     * through its own timer.
     */
    public boolean wakeInBackground(boolean restartLoop) throws Exception {
        synchronized (calls) {
            if (isForeground()) {
                return false;
            }
            boolean wasBackground = appliedPower == PowerMode.BACKGROUND;
            applyNow();
            if (appliedPower != PowerMode.BACKGROUND) {
                throw new Exception(lastError != null ? lastError : "the node did not enter background mode");
            }
            if (restartLoop && wasBackground) {
                try {
                    client.setPowerMode(PowerMode.OFF);
                    appliedPower = PowerMode.OFF;
                    client.setPowerMode(PowerMode.BACKGROUND);
                    appliedPower = PowerMode.BACKGROUND;
                } catch (Exception e) {
                    appliedPower = null;
                    lastError = Messages.of(e);
                    throw e;
                }
            }
            return true;
        }
    }
}
