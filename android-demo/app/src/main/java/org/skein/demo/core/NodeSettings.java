package org.skein.demo.core;

import org.skein.mobile.Config;
import org.skein.mobile.Mobile;

/**
 * What {@link NodeClient} needs to create a node: a plain, immutable value
 * (the binding's Config is a Go object). Build it with the with* methods.
 */
public final class NodeSettings {
    public final String dataDir;
    public final String listenAddrs; // "" = every interface, ports chosen by the system
    public final String bootstrapAddrs; // "" = dial nobody on its own
    public final int backgroundSyncMinutes; // 0 = the node's default (15)
    public final PowerMode initialPowerMode;

    public NodeSettings(String dataDir) {
        this(dataDir, "", "", 0, PowerMode.FOREGROUND);
    }

    private NodeSettings(String dataDir, String listenAddrs, String bootstrapAddrs,
                         int backgroundSyncMinutes, PowerMode initialPowerMode) {
        if (dataDir == null || dataDir.trim().isEmpty()) {
            throw new IllegalArgumentException("no data directory given");
        }
        if (backgroundSyncMinutes < 0) {
            throw new IllegalArgumentException("background sync interval must not be negative");
        }
        this.dataDir = dataDir;
        this.listenAddrs = PostItem.nonNull(listenAddrs).trim();
        this.bootstrapAddrs = normalizeAddrs(bootstrapAddrs);
        this.backgroundSyncMinutes = backgroundSyncMinutes;
        this.initialPowerMode = initialPowerMode == null ? PowerMode.FOREGROUND : initialPowerMode;
    }

    public NodeSettings withListenAddrs(String addrs) {
        return new NodeSettings(dataDir, addrs, bootstrapAddrs, backgroundSyncMinutes, initialPowerMode);
    }

    public NodeSettings withBootstrapAddrs(String addrs) {
        return new NodeSettings(dataDir, listenAddrs, addrs, backgroundSyncMinutes, initialPowerMode);
    }

    public NodeSettings withBackgroundSyncMinutes(int minutes) {
        return new NodeSettings(dataDir, listenAddrs, bootstrapAddrs, minutes, initialPowerMode);
    }

    public NodeSettings withInitialPowerMode(PowerMode mode) {
        return new NodeSettings(dataDir, listenAddrs, bootstrapAddrs, backgroundSyncMinutes, mode);
    }

    /** A new binding Config with these settings. */
    public Config toConfig() {
        Config cfg = Mobile.newConfig();
        cfg.setDataDir(dataDir);
        cfg.setListenAddrs(listenAddrs);
        cfg.setBootstrapAddrs(bootstrapAddrs);
        if (backgroundSyncMinutes > 0) {
            cfg.setBackgroundSyncMinutes(backgroundSyncMinutes);
        }
        cfg.setPowerMode(NodeClient.toBinding(initialPowerMode));
        return cfg;
    }

    /**
     * Addresses separated by spaces, commas or newlines, as one per line in
     * their order, without duplicates; "" for none.
     */
    public static String normalizeAddrs(String addrs) {
        if (addrs == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<String>();
        for (String a : addrs.split("[\\s,]+")) {
            if (!a.isEmpty() && seen.add(a)) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(a);
            }
        }
        return out.toString();
    }
}
