package org.skein.demo.system;

import android.os.Handler;
import android.os.Looper;

import java.util.concurrent.Executor;

/** The presenters' main executor on Android: runs on the main (UI) thread. */
public final class MainThreadExecutor implements Executor {
    private final Handler handler = new Handler(Looper.getMainLooper());

    @Override
    public void execute(Runnable r) {
        if (Looper.myLooper() == Looper.getMainLooper()) {
            r.run();
        } else {
            handler.post(r);
        }
    }
}
