package org.skein.demo.system;

import android.content.Context;

import androidx.annotation.NonNull;
import androidx.work.Constraints;
import androidx.work.ExistingPeriodicWorkPolicy;
import androidx.work.PeriodicWorkRequest;
import androidx.work.WorkManager;
import androidx.work.Worker;
import androidx.work.WorkerParameters;

import java.util.concurrent.TimeUnit;

import org.skein.demo.SkeinApp;
import org.skein.demo.core.BackgroundSync;

/**
 * Every 15 minutes, when there is a network: starts the node if the process
 * was started just for this job, puts it in PowerBackground (unless the app
 * is visible) and keeps the process alive for at most 30 s while the node
 * makes one background wake (connect, batched sync, disconnect). The logic
 * is {@link BackgroundSync}, tested on a desktop JVM.
 */
public final class SyncWorker extends Worker {
    public static final String NAME = "skein-background-sync";
    static final long WAIT_MILLIS = 30_000;

    public SyncWorker(@NonNull Context context, @NonNull WorkerParameters params) {
        super(context, params);
    }

    @NonNull
    @Override
    public Result doWork() {
        SkeinApp app = SkeinApp.get(getApplicationContext());
        BackgroundSync.Outcome outcome = new BackgroundSync(app.client(), app.power()).run(WAIT_MILLIS);
        return outcome == BackgroundSync.Outcome.FAILED ? Result.retry() : Result.success();
    }

    /** Schedules the job once; later calls keep the existing schedule. */
    public static void schedule(Context context) {
        Constraints constraints = new Constraints.Builder()
                .setRequiredNetworkType(androidx.work.NetworkType.CONNECTED)
                .build();
        PeriodicWorkRequest request = new PeriodicWorkRequest.Builder(SyncWorker.class, 15, TimeUnit.MINUTES)
                .setConstraints(constraints)
                .build();
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(NAME, ExistingPeriodicWorkPolicy.KEEP, request);
    }
}
