package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the finalization of an object being deleted writes, as kustomize-controller's and helm-controller's
 * {@code finalize} do: once the prune of its objects succeeded (or there was nothing to prune: {@code prune: false},
 * suspended, nothing applied), the object is {@code finalized} — its desired state, inventory and release state are
 * dropped and then the finalizer removed — with an info event listing what was deleted, if anything. A failed prune
 * keeps everything, reports {@code Ready=False} ({@code PruneFailed}, a HelmRelease {@code UninstallFailed}) with the
 * error, emits an error event and is run again after an exponential backoff (the controllers' rate-limited requeue).
 *
 * @param history   the history row of this attempt
 * @param finalized whether the object's rows are dropped and its finalizer removed
 * @param status    the status merge patch of a failure, or null
 * @param events    the events to publish
 * @param nextRun   the time until the next try after a failure, null once finalized
 */
public record DeletionAttempt(ReconcileHistory history, boolean finalized, Map<String, Object> status,
                              List<FluxEvent> events, Duration nextRun) implements Attempt {

    /**
     * @param r              the object being deleted
     * @param pruned         the outcome of deleting its objects, or null when nothing was to be pruned
     * @param failuresBefore how many finalizations of it failed in a row before this one
     * @param initialBackoff the delay after the first failure, doubled after each further one
     * @param maxBackoff     the longest delay
     * @param took           the attempt's wall time
     * @param controller     the events' {@code reportingController}
     * @return what the attempt writes
     */
    public static DeletionAttempt of(Reconcilable r, ApplyResult pruned, int failuresBefore, Duration initialBackoff,
                                     Duration maxBackoff, Duration took, String controller) {
        String revision = r.status() == null ? null : r.status().lastAppliedRevision();
        boolean ok = pruned == null || pruned.succeeded();
        String reason = r.deletionReason(ok);
        String message = ok
                ? (pruned == null || pruned.changeSet().isEmpty() ? "finalized, nothing to prune" : pruned.changeSet())
                : "prune of the deleted " + r.key().kind() + " failed: " + pruned.error();
        ReconcileHistory history = Records.history(r.key(), r.generation(), revision, null, reason, ok, message, took);
        if (pruned != null) {
            Records.counts(history, pruned);
        }
        if (ok) {
            List<FluxEvent> events = pruned == null || pruned.changeSet().isEmpty() ? List.of()
                    : List.of(Events.of(r.object(), FluxEvent.INFO, reason, pruned.changeSet(), revision, controller));
            return new DeletionAttempt(history, true, null, events, null);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", Conditions.set(Records.conditions(r), Conditions.ready(false, r.generation(), reason, message)));
        return new DeletionAttempt(history, false, status,
                List.of(Events.of(r.object(), FluxEvent.ERROR, reason, message, revision, controller)),
                backoff(failuresBefore, initialBackoff, maxBackoff));
    }

    /** @return {@code initial * 2^failuresBefore}, at most {@code max} */
    static Duration backoff(int failuresBefore, Duration initial, Duration max) {
        Duration delay = initial;
        for (int i = 0; i < failuresBefore && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    @Override
    public List<ReconcileHistory> rows() {
        return List.of(history);
    }
}
