package org.skein.demo.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Executors for presenter tests against real nodes: a pool for the blocking
 * node calls and one thread, "test-ui", that plays Android's main thread.
 * Views record calls made on any other thread in {@link #offUiCalls}.
 */
final class UiThread implements AutoCloseable {
    static final String NAME = "test-ui";

    final ExecutorService main = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, NAME);
        t.setDaemon(true);
        return t;
    });
    final ExecutorService background = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "test-bg");
        t.setDaemon(true);
        return t;
    });
    final AppExecutors executors = new AppExecutors(background, main);
    final List<String> offUiCalls = new CopyOnWriteArrayList<>();

    /** Call from every View method: notes a call made off the UI thread. */
    void check(String call) {
        if (!Thread.currentThread().getName().equals(NAME)) {
            offUiCalls.add(call + " on " + Thread.currentThread().getName());
        }
    }

    @Override
    public void close() {
        main.shutdownNow();
        background.shutdownNow();
        try {
            main.awaitTermination(5, TimeUnit.SECONDS);
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
