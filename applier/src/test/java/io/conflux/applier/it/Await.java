package io.conflux.applier.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition of the running applier, which works in the background; not a timed assertion. */
final class Await {
    private Await() {
    }

    /**
     * Polls {@code condition} every 50 ms until it holds.
     *
     * @throws AssertionError when it still does not hold after {@code patience}, the test's bound
     */
    static void until(Duration patience, BooleanSupplier condition) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + patience);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
