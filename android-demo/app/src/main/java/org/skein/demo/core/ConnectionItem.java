package org.skein.demo.core;

/** One open connection of the node ({@code Node.peers()}). Immutable. */
public final class ConnectionItem {
    public final String peer; // remote peer ID
    public final String addr; // remote multiaddr
    public final boolean relayed; // through a circuit relay, not direct
    public final String direction; // "inbound" or "outbound"
    public final long openedMillis;

    public ConnectionItem(String peer, String addr, boolean relayed, String direction, long openedMillis) {
        this.peer = PostItem.nonNull(peer);
        this.addr = PostItem.nonNull(addr);
        this.relayed = relayed;
        this.direction = PostItem.nonNull(direction);
        this.openedMillis = openedMillis;
    }

    /** One line for a list: short peer ID, direction, direct or relayed, and the address. */
    public String describe() {
        String id = peer.length() > 16 ? "…" + peer.substring(peer.length() - 8) : peer;
        return id + " · " + direction + " · " + (relayed ? "relayed" : "direct") + " · " + addr;
    }
}
