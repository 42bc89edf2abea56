package io.conflux.applier.reconcile;

import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one reconcile attempt writes, decided from its inputs without touching any infrastructure: the history rows,
 * the inventory and release state (recorded together in one transaction), the status merge patch written after that
 * commit, the events published, and when the object runs next. {@link FailedAttempt} (stopped before applying),
 * {@link AppliedAttempt} (a bundle applied), {@link ReleaseAttempt} (a HelmRelease install/upgrade),
 * {@link DeletionAttempt} (a finalization) and {@link Skipped} (nothing to do) are the shapes.
 */
public sealed interface Attempt permits FailedAttempt, AppliedAttempt, ReleaseAttempt, DeletionAttempt, Attempt.Skipped {

    /** @return history rows to insert, in order (empty: none) */
    List<ReconcileHistory> rows();

    /** @return the new inventory row, or null to leave it as it is */
    default InventoryRecord inventory() {
        return null;
    }

    /** @return the new release state, or null to leave it as it is */
    default ReleaseState release() {
        return null;
    }

    /** @return the status merge patch, or null when the status already says all of it */
    Map<String, Object> status();

    /** @return the events to publish once the attempt is recorded, in order */
    List<FluxEvent> events();

    /** @return the time until the object's next run, or null for no further run until something changes */
    Duration nextRun();

    /**
     * @return whether the attempt ended in an error that Flux's controller returns to controller-runtime, whose rate
     *         limiter requeues it with a backoff that grows with the object's errors in a row ({@link RetryPolicy});
     *         any other attempt starts that count again, as controller-runtime forgets it after a reconcile without
     *         error
     */
    default boolean rateLimited() {
        return false;
    }

    /** @return whether the attempt changed or reported something (an info line in the log, else debug) */
    default boolean notable() {
        return status() != null || !events().isEmpty();
    }

    /** @return one line for the log: the first row's reason, revision and message */
    default String summary() {
        if (rows().isEmpty()) {
            return "";
        }
        ReconcileHistory row = rows().get(0);
        return row.reason + " at " + row.sourceRevision + ": " + (row.message == null ? "" : row.message.replace('\n', ';'));
    }

    /**
     * An attempt that finds nothing to do (a render of an older generation, a suspended object, a bundle already
     * applied, a HelmRelease whose retries are exhausted): nothing is recorded or written.
     *
     * @param why     for the log
     * @param nextRun the time until the next run, or null for none
     */
    record Skipped(String why, Duration nextRun) implements Attempt {
        @Override
        public List<ReconcileHistory> rows() {
            return List.of();
        }

        @Override
        public Map<String, Object> status() {
            return null;
        }

        @Override
        public List<FluxEvent> events() {
            return List.of();
        }

        @Override
        public String summary() {
            return why;
        }
    }
}
