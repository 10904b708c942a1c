package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The status screen: what the node knows about itself ({@code Node.status()}:
 * account, power mode and network, reachability, relays, addresses) and its
 * open connections ({@code Node.peers()}), reloaded when the number of
 * peers changes.
 */
public final class StatusPresenter {
    public interface View {
        /** The status as label/value rows ({@link #rows}), and the connections. */
        void showStatus(StatusInfo status, List<String[]> rows, List<ConnectionItem> connections);

        void showError(String message);
    }

    private final SkeinClient client;
    private final AppExecutors executors;
    private final SkeinEvents events = new SkeinEvents() {
        @Override
        public void onConnectivity(long peers) {
            load();
        }
    };
    private volatile View view;
    private volatile StatusInfo status; // last loaded; null before

    public StatusPresenter(SkeinClient client, AppExecutors executors) {
        this.client = client;
        this.executors = executors;
    }

    public void attach(View v) {
        view = v;
        client.addEvents(events);
        load();
    }

    public void detach() {
        client.removeEvents(events);
        view = null;
    }

    private static final class Loaded {
        final StatusInfo status;
        final List<ConnectionItem> connections;

        Loaded(StatusInfo status, List<ConnectionItem> connections) {
            this.status = status;
            this.connections = connections;
        }
    }

    public void load() {
        executors.run(new AppExecutors.Call<Loaded>() {
            @Override
            public Loaded call() throws Exception {
                return new Loaded(client.status(), Collections.unmodifiableList(client.peers()));
            }
        }, new AppExecutors.Callback<Loaded>() {
            @Override
            public void onResult(Loaded l) {
                status = l.status;
                View v = view;
                if (v != null) {
                    v.showStatus(l.status, rows(l.status), l.connections);
                }
            }

            @Override
            public void onError(String message) {
                View v = view;
                if (v != null) {
                    v.showError(message);
                }
            }
        });
    }

    /** The status last loaded, null before. */
    public StatusInfo status() {
        return status;
    }

    /** The status as label/value rows, in the order to show them. */
    public static List<String[]> rows(StatusInfo s) {
        List<String[]> out = new ArrayList<String[]>();
        out.add(row("Account", s.loggedIn() ? "@" + s.account + (s.restoring ? " (restoring: fetching its posts)" : "")
                : "nobody is logged in"));
        if (s.loggedIn()) {
            out.add(row("Posts and other entries", String.valueOf(s.entries)));
            out.add(row("Following / followers", s.following + " / " + s.followers));
            out.add(row("Unread notifications", String.valueOf(s.unread)));
        }
        out.add(row("Connected peers", String.valueOf(s.peers)));
        out.add(row("Reachability", s.describeReachability()));
        out.add(row("Relays", s.relays.isEmpty() ? "none" : join(s.relays)));
        out.add(row("Power mode", s.powerMode == null ? "unknown" : describe(s.powerMode)));
        out.add(row("Network", s.networkType == null ? "unknown" : describe(s.networkType)));
        out.add(row("DHT mode", s.dhtMode));
        out.add(row("Device (peer ID)", s.peerId));
        out.add(row("Listening on", s.addrs.isEmpty() ? "nothing" : join(s.addrs)));
        out.add(row("Accounts on this phone", s.accounts.isEmpty() ? "none" : join(s.accounts)));
        return out;
    }

    static String describe(PowerMode m) {
        switch (m) {
            case FOREGROUND:
                return "foreground: posts arrive live";
            case BACKGROUND:
                return "background: a batched sync every 15 minutes";
            default:
                return "off: no network";
        }
    }

    static String describe(NetworkType t) {
        switch (t) {
            case WIFI:
                return "Wi-Fi (unmetered)";
            case CELLULAR:
                return "cellular (metered: no eager transfers)";
            default:
                return "none";
        }
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }

    private static String join(List<String> items) {
        StringBuilder b = new StringBuilder();
        for (String s : items) {
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(s);
        }
        return b.toString();
    }
}
