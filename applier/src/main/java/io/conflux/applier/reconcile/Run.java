package io.conflux.applier.reconcile;

import io.conflux.service.ReactiveRunner.Blocking;
import java.time.Duration;

/**
 * One run of the reconcile of an object.
 *
 * @param periodic whether it is a periodic run (re-applies to correct drift) rather than one triggered by a change
 * @param started  {@link System#nanoTime()} at its start
 * @param blocking runs blocking work (the target cluster) on a worker thread, outside any database session
 * @param errors   how many attempts of the object in a row ended in an error before this run
 *                 ({@link Attempt#rateLimited}): the exponent of the next error's backoff ({@link RetryPolicy#afterError})
 */
public record Run(boolean periodic, long started, Blocking blocking, int errors) {

    /** @return the wall time since the run started */
    public Duration took() {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
