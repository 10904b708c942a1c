package org.skein.demo.core;

/** Turns exceptions into messages a user can read. */
public final class Messages {
    private Messages() {}

    /**
     * The exception's own message (the binding's errors are written for
     * users: "wrong password for alice", "no user with this name: bob"), or
     * its kind if it has none.
     */
    public static String of(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String msg = e.getMessage();
        if (msg == null || msg.trim().isEmpty()) {
            Throwable cause = e.getCause();
            if (cause != null && cause != e) {
                return of(cause);
            }
            return e.getClass().getSimpleName();
        }
        return msg.trim();
    }
}
