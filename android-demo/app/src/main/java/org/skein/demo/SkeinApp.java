package org.skein.demo;

import android.app.Application;
import android.content.Context;
import android.content.SharedPreferences;

import androidx.lifecycle.ProcessLifecycleOwner;

import java.io.File;
import java.util.concurrent.Executors;

import org.skein.demo.core.AppExecutors;
import org.skein.demo.core.NodeClient;
import org.skein.demo.core.NodeSettings;
import org.skein.demo.core.PowerController;
import org.skein.demo.core.PowerMode;
import org.skein.demo.core.SkeinClient;
import org.skein.demo.system.MainThreadExecutor;
import org.skein.demo.system.NetworkMonitor;
import org.skein.demo.system.ProcessPowerObserver;
import org.skein.demo.system.SyncWorker;

/**
 * Owns the process's one Skein node (through {@link NodeClient}) and wires
 * the system to it: the process lifecycle and the network to the
 * {@link PowerController}, and the periodic {@link SyncWorker}.
 *
 * <p>The node is created here but started on first use: by the login screen,
 * or by the background job when the system starts the process for it. It
 * starts in PowerBackground; the controller moves it to PowerForeground as
 * soon as the app is visible.
 */
public final class SkeinApp extends Application {
    private static final String PREFS = "skein";
    private static final String KEY_BOOTSTRAP = "bootstrap_addrs";

    private NodeClient client;
    private AppExecutors executors;
    private PowerController power;

    public static SkeinApp get(Context context) {
        return (SkeinApp) context.getApplicationContext();
    }

    @Override
    public void onCreate() {
        super.onCreate();
        executors = new AppExecutors(Executors.newFixedThreadPool(4), new MainThreadExecutor());
        File dataDir = new File(getFilesDir(), "skein");
        if (!dataDir.isDirectory() && !dataDir.mkdirs()) {
            throw new IllegalStateException("cannot create " + dataDir);
        }
        NodeSettings settings = new NodeSettings(dataDir.getPath())
                .withBootstrapAddrs(savedBootstrapAddrs())
                .withInitialPowerMode(PowerMode.BACKGROUND);
        try {
            client = new NodeClient(settings);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the Skein node: " + e.getMessage(), e);
        }
        power = new PowerController(client, Executors.newSingleThreadExecutor());
        ProcessLifecycleOwner.get().getLifecycle().addObserver(new ProcessPowerObserver(power));
        new NetworkMonitor(this, power).start();
        SyncWorker.schedule(this);
    }

    public SkeinClient client() {
        return client;
    }

    public AppExecutors executors() {
        return executors;
    }

    public PowerController power() {
        return power;
    }

    /** The bootstrap addresses last used, or the build's default (BuildConfig.SKEIN_BOOTSTRAP). */
    public String savedBootstrapAddrs() {
        return prefs().getString(KEY_BOOTSTRAP, BuildConfig.SKEIN_BOOTSTRAP);
    }

    public void saveBootstrapAddrs(String addrs) {
        prefs().edit().putString(KEY_BOOTSTRAP, NodeSettings.normalizeAddrs(addrs)).apply();
    }

    private SharedPreferences prefs() {
        return getSharedPreferences(PREFS, MODE_PRIVATE);
    }
}
