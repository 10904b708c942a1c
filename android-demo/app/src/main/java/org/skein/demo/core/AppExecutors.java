package org.skein.demo.core;

import java.util.concurrent.Executor;

/**
 * Where presenters run things: blocking node calls on {@link #background()},
 * results and view updates on {@link #mainThread()}. On Android the main
 * executor posts to the main looper; tests inject a direct executor or a
 * single thread that plays the UI thread.
 */
public final class AppExecutors {
    private final Executor background;
    private final Executor mainThread;

    public AppExecutors(Executor background, Executor mainThread) {
        if (background == null || mainThread == null) {
            throw new IllegalArgumentException("both executors are required");
        }
        this.background = background;
        this.mainThread = mainThread;
    }

    /** Runs everything on the calling thread: for tests of pure logic. */
    public static AppExecutors direct() {
        Executor now = new Executor() {
            @Override
            public void execute(Runnable r) {
                r.run();
            }
        };
        return new AppExecutors(now, now);
    }

    public Executor background() {
        return background;
    }

    public Executor mainThread() {
        return mainThread;
    }

    /** A blocking call that runs on the background executor. */
    public interface Call<T> {
        T call() throws Exception;
    }

    /** Receives a {@link Call}'s outcome on the main executor. */
    public interface Callback<T> {
        void onResult(T value);

        void onError(String message);
    }

    /**
     * Runs call on the background executor and delivers its result or
     * error message to callback on the main executor. The message is
     * {@link Messages#of}: the one mapping of the node's error codes to what
     * the user reads.
     */
    public <T> void run(final Call<T> call, final Callback<T> callback) {
        background.execute(new Runnable() {
            @Override
            public void run() {
                T value;
                try {
                    value = call.call();
                } catch (final Exception e) {
                    final String msg = Messages.of(e);
                    mainThread.execute(new Runnable() {
                        @Override
                        public void run() {
                            callback.onError(msg);
                        }
                    });
                    return;
                }
                final T v = value;
                mainThread.execute(new Runnable() {
                    @Override
                    public void run() {
                        callback.onResult(v);
                    }
                });
            }
        });
    }
}
