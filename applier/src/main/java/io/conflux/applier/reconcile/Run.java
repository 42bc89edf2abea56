package io.conflux.applier.reconcile;

import io.conflux.service.ReactiveRunner.Blocking;
import java.time.Duration;

/**
 * One run of the reconcile of an object.
 *
 * @param periodic whether it is a periodic run (re-applies to correct drift) rather than one triggered by a change
 * @param started  {@link System#nanoTime()} at its start
 * @param blocking runs blocking work (the target cluster) on a worker thread, outside any database session
 */
public record Run(boolean periodic, long started, Blocking blocking) {

    /** @return the wall time since the run started */
    public Duration took() {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
