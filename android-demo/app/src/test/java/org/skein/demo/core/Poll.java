package org.skein.demo.core;

import static org.junit.Assert.fail;

/** Bounded waiting for tests: polls a condition every 100 ms for at most 30 s. */
final class Poll {
    static final long TIMEOUT_MILLIS = 30_000;
    static final long STEP_MILLIS = 100;

    interface Condition {
        boolean ok() throws Exception;
    }

    private Poll() {}

    /** Waits until c holds, failing the test with what if it does not within 30 s. */
    static void until(String what, Condition c) throws Exception {
        until(what, TIMEOUT_MILLIS, c);
    }

    static void until(String what, long timeoutMillis, Condition c) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            if (c.ok()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            Thread.sleep(STEP_MILLIS);
        }
    }
}
