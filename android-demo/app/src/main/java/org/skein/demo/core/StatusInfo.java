package org.skein.demo.core;

/** The node and the logged-in account, as {@code Node.status()} describes them. Immutable. */
public final class StatusInfo {
    public final String peerId;
    public final String account; // "" if nobody is logged in
    public final long peers;
    public final long following;
    public final long followers;
    public final long unread;
    public final PowerMode powerMode;
    public final NetworkType networkType;

    public StatusInfo(String peerId, String account, long peers, long following, long followers,
                      long unread, PowerMode powerMode, NetworkType networkType) {
        this.peerId = PostItem.nonNull(peerId);
        this.account = PostItem.nonNull(account);
        this.peers = peers;
        this.following = following;
        this.followers = followers;
        this.unread = unread;
        this.powerMode = powerMode;
        this.networkType = networkType;
    }

    public boolean loggedIn() {
        return !account.isEmpty();
    }
}
