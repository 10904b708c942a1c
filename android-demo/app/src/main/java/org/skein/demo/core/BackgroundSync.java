package org.skein.demo.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the periodic background job (a WorkManager Worker on Android) does:
 * make sure the node is started, in PowerBackground unless the app is
 * visible, and give it a bounded while for one background wake (it connects
 * to a peer, syncs, and disconnects: seen as the peer count going up then
 * back to 0). Keeping the process alive for that while is the point: the node
 * wakes itself, but only while its process runs.
 *
 * <p>{@link #run} blocks: call it on the job's thread, never the UI thread.
 */
public final class BackgroundSync {
    public enum Outcome {
        /** A wake was seen: peers connected and disconnected again. */
        WOKE,
        /** No wake within the time allowed (the last one is recent, or no peer answered). */
        NO_WAKE_SEEN,
        /** The app is in the foreground: the node is live, nothing to do. */
        SKIPPED_FOREGROUND,
        /** The device has no network: the node stays off until it returns. */
        OFFLINE,
        /** The node could not be started or switched: see {@link #lastError()}. */
        FAILED
    }

    private final SkeinClient client;
    private final PowerController power;
    private volatile String lastError;

    public BackgroundSync(SkeinClient client, PowerController power) {
        this.client = client;
        this.power = power;
    }

    /** Runs one background sync, waiting at most timeoutMillis for the wake. */
    public Outcome run(long timeoutMillis) {
        final AtomicBoolean up = new AtomicBoolean(false);
        final CountDownLatch woke = new CountDownLatch(1);
        SkeinEvents watch = new SkeinEvents() {
            @Override
            public void onConnectivity(long peers) {
                if (peers > 0) {
                    up.set(true);
                } else if (up.get()) {
                    woke.countDown();
                }
            }
        };
        lastError = null;
        if (power.network() == NetworkType.NONE) {
            return Outcome.OFFLINE;
        }
        client.addEvents(watch);
        try {
            // The watcher is added first: a fresh node's first wake may
            // come as soon as it starts, and a running node's as soon as
            // its loop restarts.
            boolean wasStarted = client.isStarted();
            client.ensureStarted();
            if (!power.wakeInBackground(wasStarted)) {
                return Outcome.SKIPPED_FOREGROUND;
            }
            return woke.await(Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS) ? Outcome.WOKE : Outcome.NO_WAKE_SEEN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lastError = "interrupted";
            return Outcome.FAILED;
        } catch (Exception e) {
            lastError = Messages.of(e);
            return Outcome.FAILED;
        } finally {
            client.removeEvents(watch);
        }
    }

    /** The message of the last failure, null if none. */
    public String lastError() {
        return lastError;
    }
}
