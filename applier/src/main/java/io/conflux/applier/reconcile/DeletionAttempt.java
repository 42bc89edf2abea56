package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.Change;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the finalization of an object being deleted writes, as kustomize-controller's and helm-controller's
 * {@code finalize} do. Whether its objects are deleted at all is {@link #plan}'s decision (the deletion policy). Once
 * the prune of its objects succeeded (or there was nothing to prune: the policy keeps them, suspended, nothing
 * applied), the object is {@code finalized} — its desired state, inventory and release state are dropped and then the
 * finalizer removed — with an info event listing what was deleted, if anything. With {@code WaitForTermination} the
 * deleted objects were awaited first; objects still there at {@code spec.timeout} do not hold the object back (as
 * Flux: an error event "failed to wait for resources termination" and the finalizer is removed). A failed prune
 * keeps everything, reports {@code Ready=False} ({@code PruneFailed}, a HelmRelease {@code UninstallFailed}) with the
 * error, emits an error event and is run again after an exponential backoff (the controllers' rate-limited requeue).
 * Pure.
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
     * What a finalization does with the inventory, kustomize-controller's {@code finalizerShouldDeleteResources}: a
     * suspended object or one with nothing applied deletes nothing; else by {@code spec.deletionPolicy} —
     * {@code MirrorPrune} deletes iff {@code spec.prune}, {@code Delete} always, {@code WaitForTermination} always and
     * then waits until the deleted objects are gone, {@code Orphan} never; an unknown policy (Flux's CRD refuses it)
     * deletes nothing, as Flux's {@code default} case, and says so.
     *
     * @param delete             whether the inventory is deleted
     * @param waitForTermination whether the deleted objects are awaited (up to {@code spec.timeout}) before the
     *                           finalizer is removed
     * @param kept               when nothing is deleted although objects were applied, why (for the history and the
     *                           event), else null
     */
    public record Plan(boolean delete, boolean waitForTermination, String kept) {
    }

    /**
     * @param r     the object being deleted
     * @param owned its inventory (what it applied and still owns)
     * @return what to do with {@code owned}
     */
    public static Plan plan(Reconcilable r, List<InventoryEntry> owned) {
        if (owned.isEmpty()) {
            return new Plan(false, false, null);
        }
        if (r.suspended()) {
            return new Plan(false, false, "suspended: " + owned.size() + " objects left in place");
        }
        String policy = r.deletionPolicy();
        return switch (policy) {
            case KustomizationSpec.MIRROR_PRUNE -> r.prune() ? new Plan(true, false, null)
                    : new Plan(false, false, "prune disabled (deletionPolicy MirrorPrune): " + owned.size()
                            + " objects left in place");
            case KustomizationSpec.DELETE -> new Plan(true, false, null);
            case KustomizationSpec.WAIT_FOR_TERMINATION -> new Plan(true, true, null);
            case KustomizationSpec.ORPHAN -> new Plan(false, false, "deletionPolicy Orphan: " + owned.size()
                    + " objects left in place");
            default -> new Plan(false, false, "spec.deletionPolicy '" + policy + "' is not one of MirrorPrune, Delete,"
                    + " WaitForTermination, Orphan: " + owned.size() + " objects left in place");
        };
    }

    /**
     * @param owned  the inventory that was pruned
     * @param pruned the prune's outcome
     * @return the entries of {@code owned} the prune deleted (not those skipped or already gone)
     */
    public static List<InventoryEntry> deleted(List<InventoryEntry> owned, ApplyResult pruned) {
        Set<String> subjects = pruned.changes().stream().filter(c -> c.action() == Change.Action.DELETED)
                .map(Change::subject).collect(Collectors.toSet());
        return owned.stream().filter(e -> subjects.contains(e.subject())).toList();
    }

    /**
     * The outcome of a finalization that followed its object's {@code prune} flag alone (a HelmRelease, or a
     * Kustomization with {@code MirrorPrune}): {@code pruned} null means nothing was deleted.
     *
     * @see #of(Reconcilable, Plan, ApplyResult, String, int, Duration, Duration, Duration, String)
     */
    public static DeletionAttempt of(Reconcilable r, ApplyResult pruned, int failuresBefore, Duration initialBackoff,
                                     Duration maxBackoff, Duration took, String controller) {
        return of(r, new Plan(pruned != null, false, null), pruned, null, failuresBefore, initialBackoff, maxBackoff,
                took, controller);
    }

    /**
     * @param r              the object being deleted
     * @param plan           what was decided ({@link #plan})
     * @param pruned         the outcome of deleting its objects, or null when nothing was to be pruned
     * @param notTerminated  with {@code WaitForTermination}: null when the deleted objects are gone, else what is
     *                       still there at the timeout (the object is finalized all the same, with an error event)
     * @param failuresBefore how many finalizations of it failed in a row before this one
     * @param initialBackoff the delay after the first failure, doubled after each further one
     * @param maxBackoff     the longest delay
     * @param took           the attempt's wall time
     * @param controller     the events' {@code reportingController}
     * @return what the attempt writes
     */
    public static DeletionAttempt of(Reconcilable r, Plan plan, ApplyResult pruned, String notTerminated,
                                     int failuresBefore, Duration initialBackoff, Duration maxBackoff, Duration took,
                                     String controller) {
        String revision = r.appliedRevision();
        boolean ok = pruned == null || pruned.succeeded();
        String reason = r.deletionReason(ok);
        String terminated = notTerminated == null ? "" : "\nfailed to wait for resources termination: " + notTerminated;
        String message = ok
                ? (pruned == null || pruned.changeSet().isEmpty()
                        ? (plan.kept() == null ? "finalized, nothing to prune" : "finalized, " + plan.kept())
                        : pruned.changeSet()) + terminated
                : "prune of the deleted " + r.key().kind() + " failed: " + pruned.error();
        ReconcileHistory history = Records.history(r.key(), r.generation(), revision, null, reason, ok, message, took);
        if (pruned != null) {
            Records.counts(history, pruned);
        }
        if (ok) {
            List<FluxEvent> events = new ArrayList<>();
            if (pruned != null && !pruned.changeSet().isEmpty()) {
                events.add(Events.of(r.object(), FluxEvent.INFO, reason, pruned.changeSet(), revision, controller));
            }
            if (notTerminated != null) {
                events.add(Events.of(r.object(), FluxEvent.ERROR, reason,
                        "failed to wait for resources termination: " + notTerminated, revision, controller));
            }
            return new DeletionAttempt(history, true, null, List.copyOf(events), null);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", Conditions.set(Records.conditions(r), Conditions.ready(false, r.generation(), reason, message)));
        return new DeletionAttempt(history, false, status,
                List.of(Events.of(r.object(), FluxEvent.ERROR, reason, message, revision, controller)),
                RetryPolicy.doubling(failuresBefore, initialBackoff, maxBackoff));
    }

    @Override
    public List<ReconcileHistory> rows() {
        return List.of(history);
    }
}
