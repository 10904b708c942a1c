package org.skein.demo.system;

import android.content.Context;
import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.net.NetworkRequest;
import android.os.Build;

import androidx.annotation.NonNull;

import org.skein.demo.core.NetworkType;
import org.skein.demo.core.PowerController;

/**
 * Reports the device's network to the {@link PowerController}: an
 * unmetered network (Wi-Fi, Ethernet) → NetworkWiFi, a metered one
 * (cellular, metered hotspot) → NetworkCellular, none → NetworkNone.
 * Uses the default-network callback (API 24+), or a callback on every
 * Internet-capable network before that.
 */
public final class NetworkMonitor {
    private final ConnectivityManager cm;
    private final PowerController power;

    public NetworkMonitor(Context context, PowerController power) {
        this.cm = (ConnectivityManager) context.getSystemService(Context.CONNECTIVITY_SERVICE);
        this.power = power;
    }

    public void start() {
        power.onNetwork(current());
        if (Build.VERSION.SDK_INT >= 24) {
            cm.registerDefaultNetworkCallback(new ConnectivityManager.NetworkCallback() {
                @Override
                public void onAvailable(@NonNull Network network) {
                    NetworkCapabilities caps = cm.getNetworkCapabilities(network);
                    if (caps != null) {
                        power.onNetwork(classify(caps));
                    }
                }

                @Override
                public void onCapabilitiesChanged(@NonNull Network network, @NonNull NetworkCapabilities caps) {
                    power.onNetwork(classify(caps));
                }

                @Override
                public void onLost(@NonNull Network network) {
                    power.onNetwork(NetworkType.NONE); // no default network until the next callback
                }
            });
        } else {
            NetworkRequest request = new NetworkRequest.Builder()
                    .addCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET)
                    .build();
            cm.registerNetworkCallback(request, new ConnectivityManager.NetworkCallback() {
                @Override
                public void onAvailable(Network network) {
                    power.onNetwork(current());
                }

                @Override
                public void onCapabilitiesChanged(Network network, NetworkCapabilities caps) {
                    power.onNetwork(current());
                }

                @Override
                public void onLost(Network network) {
                    power.onNetwork(current());
                }
            });
        }
    }

    /** The network the device uses now. */
    @SuppressWarnings("deprecation")
    public NetworkType current() {
        if (Build.VERSION.SDK_INT >= 23) {
            Network n = cm.getActiveNetwork();
            NetworkCapabilities caps = n == null ? null : cm.getNetworkCapabilities(n);
            return caps == null ? NetworkType.NONE : classify(caps);
        }
        android.net.NetworkInfo info = cm.getActiveNetworkInfo();
        if (info == null || !info.isConnected()) {
            return NetworkType.NONE;
        }
        return NetworkType.classify(true, !cm.isActiveNetworkMetered());
    }

    static NetworkType classify(NetworkCapabilities caps) {
        return NetworkType.classify(
                caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET),
                caps.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED));
    }
}
