package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.model.kustomize.ResourceInventory;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an attempt that applied a bundle writes (a Kustomization's apply, prune and health checks; a released
 * HelmRelease re-applied), as kustomize-controller's {@code Reconcile} does after {@code apply} and
 * {@code checkHealth}: {@code Ready} with the outcome's reason, {@code lastAppliedRevision} on success,
 * {@code lastAttemptedRevision}, {@code inventory}, {@code observedGeneration}, {@code lastHandledReconcileAt}; one event
 * with the change set and "Reconciliation finished in …, next run in …" (kustomize-controller's message) or the error;
 * the next run after {@code spec.interval} or, failed, {@code spec.retryInterval}. A periodic run that found no drift
 * on an object whose status already reports this revision applied and Ready for this generation writes only its history
 * row (no status, no event), as Flux emits no
 * event for an unchanged reconcile; one that corrected drift records the fields that drifted.
 *
 * @param history   the history row of this attempt
 * @param inventory the new inventory row, or null when a quiet periodic run leaves it
 * @param status    the status merge patch, or null for a quiet periodic run
 * @param events    the event of the outcome, or none for a quiet periodic run
 * @param nextRun   the time until the next run
 */
public record AppliedAttempt(ReconcileHistory history, InventoryRecord inventory, Map<String, Object> status,
                             List<FluxEvent> events, Duration nextRun) implements Attempt {

    /**
     * @param r             the object
     * @param desired       the desired state applied
     * @param before        the stored inventory row before the attempt, or null (not changed)
     * @param result        what the apply (and health checks) came to
     * @param successReason the Ready reason of a success ({@code ReconciliationSucceeded}, {@code InstallSucceeded},
     *                      {@code UpgradeSucceeded})
     * @param periodic      whether the attempt is a periodic run (drift correction)
     * @param took          the attempt's wall time
     * @param controller    the events' {@code reportingController}
     * @return what the attempt writes
     */
    public static AppliedAttempt of(Reconcilable r, DesiredState desired, InventoryRecord before, ApplyResult result,
                                    String successReason, boolean periodic, Duration took, String controller) {
        boolean ok = result.succeeded();
        String revision = desired.sourceRevision;
        String reason = ok ? successReason : result.reason();
        String readyMessage = ok ? "Applied revision: " + revision : result.error();
        Duration nextRun = Records.nextRunIn(r, ok);
        ReconcileHistory history = Records.history(r.key(), desired, reason, ok, readyMessage, took);
        Records.counts(history, result);
        if (periodic && ok && result.changeSet().isEmpty() && reports(r, desired)) {
            return new AppliedAttempt(history, null, null, List.of(), nextRun);
        }
        if (periodic && ok) {
            history.message = "drift corrected: " + result.drift();
        }
        InventoryRecord inventory = Records.inventory(r.key(), before, result.inventory());
        if (ok) {
            Records.applied(inventory, desired);
        }

        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", desired.generation);
        status.put("conditions", Conditions.set(Records.conditions(r),
                Conditions.ready(ok, desired.generation, reason, readyMessage)));
        status.put("lastAttemptedRevision", revision);
        if (ok) {
            status.put("lastAppliedRevision", revision);
        }
        if (r.requestedAt() != null) {
            status.put("lastHandledReconcileAt", r.requestedAt());
        }
        status.put("inventory", new ResourceInventory(result.inventory().stream().map(InventoryEntry::toRef).toList()));

        String interval = GoDuration.format(GoDuration.parseOr(r.interval(), Records.DEFAULT_INTERVAL));
        String finished = "Reconciliation finished in "
                + GoDuration.format(took.plusMillis(999).truncatedTo(ChronoUnit.SECONDS)) + ", next run in " + interval;
        String eventMessage = ok ? (result.changeSet().isEmpty() ? finished : result.changeSet() + "\n" + finished)
                : result.error();
        FluxEvent event = Events.of(r.object(), ok ? FluxEvent.INFO : FluxEvent.ERROR, reason, eventMessage, revision,
                controller);
        return new AppliedAttempt(history, inventory, status, List.of(event), nextRun);
    }

    /**
     * @return whether {@code r}'s status already reports {@code desired} applied: Ready for its generation, with its
     *         revision as last applied and attempted (a status write that failed after an apply leaves it behind)
     */
    private static boolean reports(Reconcilable r, DesiredState desired) {
        return Conditions.isReady(Records.conditions(r), desired.generation) && r.status() != null
                && java.util.Objects.equals(desired.sourceRevision, r.status().lastAppliedRevision())
                && java.util.Objects.equals(desired.sourceRevision, r.status().lastAttemptedRevision());
    }

    @Override
    public List<ReconcileHistory> rows() {
        return List.of(history);
    }
}
