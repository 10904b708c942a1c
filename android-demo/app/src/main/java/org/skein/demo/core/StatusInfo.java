package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The node and the logged-in account, as {@code Node.status()} describes
 * them. Immutable; build one with {@link Builder}.
 */
public final class StatusInfo {
    public final String peerId;
    public final List<String> addrs; // listen addresses, each ending in /p2p/<peerId>
    public final long peers;
    public final String dhtMode; // "client" or "server"
    public final String account; // "" if nobody is logged in
    public final String key; // the account's key, "" if nobody is logged in
    public final long entries; // entries in the account's log
    public final long following;
    public final long followers;
    public final long unread;
    public final boolean restoring; // the account's own log is still being fetched after a restore
    public final List<String> accounts; // accounts stored on this phone
    public final PowerMode powerMode;
    public final NetworkType networkType;
    public final String reachability; // "public", "private" or "unknown"
    public final boolean holePunch;
    public final List<String> relays; // peer IDs of the relays the node holds a reservation on

    private StatusInfo(Builder b) {
        this.peerId = PostItem.nonNull(b.peerId);
        this.addrs = copy(b.addrs);
        this.peers = b.peers;
        this.dhtMode = PostItem.nonNull(b.dhtMode);
        this.account = PostItem.nonNull(b.account);
        this.key = PostItem.nonNull(b.key);
        this.entries = b.entries;
        this.following = b.following;
        this.followers = b.followers;
        this.unread = b.unread;
        this.restoring = b.restoring;
        this.accounts = copy(b.accounts);
        this.powerMode = b.powerMode;
        this.networkType = b.networkType;
        this.reachability = b.reachability == null || b.reachability.isEmpty() ? "unknown" : b.reachability;
        this.holePunch = b.holePunch;
        this.relays = copy(b.relays);
    }

    private static List<String> copy(List<String> l) {
        return l == null ? Collections.<String>emptyList() : Collections.unmodifiableList(new ArrayList<String>(l));
    }

    public boolean loggedIn() {
        return !account.isEmpty();
    }

    /** What reachability means for the user, in a sentence. */
    public String describeReachability() {
        switch (reachability) {
            case "public":
                return "Reachable directly: other devices can connect to this phone.";
            case "private":
                String via = relays.isEmpty()
                        ? "no relay yet, so others cannot reach it until one is found"
                        : relays.size() + (relays.size() == 1 ? " relay" : " relays");
                return "Behind a NAT: others reach this phone through relays (" + via + ")"
                        + (holePunch ? ", then directly by hole punching." : ".");
            default:
                return "Reachability not known yet: the node is still finding out.";
        }
    }

    /** Builds a {@link StatusInfo}; every field is optional. */
    public static final class Builder {
        String peerId;
        List<String> addrs;
        long peers;
        String dhtMode;
        String account;
        String key;
        long entries;
        long following;
        long followers;
        long unread;
        boolean restoring;
        List<String> accounts;
        PowerMode powerMode;
        NetworkType networkType;
        String reachability;
        boolean holePunch;
        List<String> relays;

        public Builder peerId(String v) { peerId = v; return this; }
        public Builder addrs(List<String> v) { addrs = v; return this; }
        public Builder peers(long v) { peers = v; return this; }
        public Builder dhtMode(String v) { dhtMode = v; return this; }
        public Builder account(String v) { account = v; return this; }
        public Builder key(String v) { key = v; return this; }
        public Builder entries(long v) { entries = v; return this; }
        public Builder following(long v) { following = v; return this; }
        public Builder followers(long v) { followers = v; return this; }
        public Builder unread(long v) { unread = v; return this; }
        public Builder restoring(boolean v) { restoring = v; return this; }
        public Builder accounts(List<String> v) { accounts = v; return this; }
        public Builder powerMode(PowerMode v) { powerMode = v; return this; }
        public Builder networkType(NetworkType v) { networkType = v; return this; }
        public Builder reachability(String v) { reachability = v; return this; }
        public Builder holePunch(boolean v) { holePunch = v; return this; }
        public Builder relays(List<String> v) { relays = v; return this; }

        public StatusInfo build() {
            return new StatusInfo(this);
        }
    }
}
