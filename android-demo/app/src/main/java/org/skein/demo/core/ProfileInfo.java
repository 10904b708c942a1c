package org.skein.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A user looked up by name ({@code Node.whois}): a profile page's header. Immutable. */
public final class ProfileInfo {
    public final String name;
    public final String key; // account public key, hex
    public final String peerId; // the device publishing the name record now
    public final List<String> addrs; // that device's addresses
    public final long updatedMillis; // when the name record was last published; 0 if unknown
    public final long latestSeq; // highest entry seq the record announces; 0 if unknown
    public final long held; // entries of this user held on this phone
    public final boolean pinned; // the account pinned the name to this key (it follows or followed them)
    public final boolean online; // connected now, or the name record was republished lately
    public final long lastSeenMillis; // last contact or record update; 0 if never

    public ProfileInfo(String name, String key, String peerId, List<String> addrs, long updatedMillis,
                       long latestSeq, long held, boolean pinned, boolean online, long lastSeenMillis) {
        this.name = PostItem.nonNull(name);
        this.key = PostItem.nonNull(key);
        this.peerId = PostItem.nonNull(peerId);
        this.addrs = addrs == null ? Collections.<String>emptyList()
                : Collections.unmodifiableList(new ArrayList<String>(addrs));
        this.updatedMillis = updatedMillis;
        this.latestSeq = latestSeq;
        this.held = held;
        this.pinned = pinned;
        this.online = online;
        this.lastSeenMillis = lastSeenMillis;
    }

    /** The key, shortened for a header: its first 16 hex digits. */
    public String shortKey() {
        return key.length() > 16 ? key.substring(0, 16) + "…" : key;
    }

    /** "Online now", "Last seen 5 minutes ago" or "Never seen online", as of nowMillis. */
    public String presence(long nowMillis) {
        if (online) {
            return "Online now";
        }
        if (lastSeenMillis <= 0) {
            return "Never seen online";
        }
        return "Last seen " + ago(nowMillis - lastSeenMillis);
    }

    /** How much of the user's log this phone holds, in a sentence. */
    public String heldDescription() {
        if (latestSeq > 0) {
            if (held >= latestSeq) {
                return "This phone holds all " + LogInfo.count(latestSeq) + " of their log.";
            }
            if (held <= 0) {
                return "This phone holds none of the " + LogInfo.count(latestSeq) + " of their log yet.";
            }
            return "This phone holds " + held + " of the " + LogInfo.count(latestSeq) + " of their log.";
        }
        if (held <= 0) {
            return "This phone holds none of their log yet.";
        }
        return "This phone holds " + LogInfo.count(held) + " of their log.";
    }

    /** What pinning means, in a sentence. */
    public String pinnedDescription() {
        return pinned
                ? "Pinned: @" + name + " stays this key for you, whoever claims the name later."
                : "Not pinned: follow @" + name + " to pin the name to this key.";
    }

    /** A duration as people say it: "just now", "3 minutes ago", "2 hours ago", "5 days ago". */
    static String ago(long millis) {
        long min = millis / 60_000L;
        if (min < 1) {
            return "just now";
        }
        if (min < 60) {
            return min + (min == 1 ? " minute ago" : " minutes ago");
        }
        long h = min / 60;
        if (h < 24) {
            return h + (h == 1 ? " hour ago" : " hours ago");
        }
        long d = h / 24;
        return d + (d == 1 ? " day ago" : " days ago");
    }
}
