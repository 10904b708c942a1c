package org.skein.demo.core;

/** The kind of network the device is on (see {@code Mobile.networkWiFi()} and friends). */
public enum NetworkType {
    /** Unmetered: Wi-Fi, Ethernet. */
    WIFI,
    /** Metered: cellular, or a metered Wi-Fi hotspot. */
    CELLULAR,
    /** No usable network. */
    NONE;

    /**
     * Classifies a network from what the system says about it (on Android:
     * NetworkCapabilities' NET_CAPABILITY_INTERNET and _NOT_METERED). An
     * unmetered network counts as Wi-Fi whatever its transport; any metered
     * one as cellular.
     */
    public static NetworkType classify(boolean hasInternet, boolean unmetered) {
        if (!hasInternet) {
            return NONE;
        }
        return unmetered ? WIFI : CELLULAR;
    }
}
