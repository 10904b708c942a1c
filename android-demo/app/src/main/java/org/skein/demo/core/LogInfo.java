package org.skein.demo.core;

/**
 * Which part of a followed user's log this phone holds (the binding's
 * {@code LogState}): entries from..to (0 if none) of latest known. Immutable.
 */
public final class LogInfo {
    public final long from;
    public final long to;
    public final long latest;
    /** The entries below from are not kept by design (retention): none is missing. */
    public final boolean trimmed;

    public LogInfo(long from, long to, long latest, boolean trimmed) {
        this.from = from;
        this.to = to;
        this.latest = latest;
        this.trimmed = trimmed;
    }

    /** Whether nothing the author wrote is missing here. */
    public boolean complete() {
        return to > 0 && to >= latest && (from <= 1 || trimmed);
    }

    /** A short description for a list row, e.g. "has entries 3–5 of 7". */
    public String describe() {
        if (to <= 0) {
            return latest > 0 ? "has none of " + count(latest) + " yet" : "has no entries yet";
        }
        if (complete()) {
            return trimmed && from > 1
                    ? "up to date (entries " + from + "–" + to + ", older ones trimmed)"
                    : "up to date (" + count(to) + ")";
        }
        return "has entries " + from + "–" + to + " of " + Math.max(latest, to);
    }

    static String count(long n) {
        return n + (n == 1 ? " entry" : " entries");
    }
}
