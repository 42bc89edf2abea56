package io.conflux.applier.reconcile;

import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.applier.release.HelmReasons;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one HelmRelease install or upgrade writes ({@link io.conflux.applier.release.ReleaseRun}'s outcome), as
 * helm-controller reports it: the {@code Released} condition with {@code InstallSucceeded|InstallFailed|
 * UpgradeSucceeded|UpgradeFailed}; {@code Remediated} after a rollback or uninstall ({@code RollbackSucceeded}, …) and
 * cleared by a release; {@code Stalled} ({@code RetriesExceeded}) once the retries are exhausted; {@code Ready} with
 * the release's reason, or the remediation's when one ran; {@code lastAttemptedRevision},
 * {@code lastAttemptedGeneration}, {@code lastAttemptedReleaseAction}, (no {@code lastAppliedRevision}: v2 has none), the
 * failure counters ({@code failures}, {@code installFailures}, {@code upgradeFailures}); the inventory goes to the applier's row only. One
 * history row and one event for the release, one more of each for a remediation. Next run: {@code spec.interval} after
 * a release; when remediation retries are left, after the rate limiter's backoff ({@link RetryPolicy#afterError}) —
 * helm-controller's {@code AtomicRelease} returns {@code ErrMustRequeue}, its {@code Reconcile} answers
 * {@code ctrl.Result{Requeue: true}}, which controller-runtime puts back with {@code AddRateLimited} and does not
 * {@code Forget}, so the wait grows with each failure in a row as an error's does ({@link #rateLimited}); none when
 * stalled (until the spec, chart or values change).
 *
 * @param rows      the history rows: the release's, then the remediation's if one ran
 * @param inventory the new inventory row
 * @param release   the new release state (counters, last action, stalled)
 * @param status    the status merge patch
 * @param events    the release's event, then the remediation's if one ran
 * @param nextRun     the time until the next run, or null when stalled
 * @param rateLimited whether the next run is the rate limiter's (a failure with remediation retries left), counted as
 *                    one more in the object's row of errors ({@link Attempt#rateLimited})
 */
public record ReleaseAttempt(List<ReconcileHistory> rows, InventoryRecord inventory, ReleaseState release,
                             Map<String, Object> status, List<FluxEvent> events, Duration nextRun,
                             boolean rateLimited) implements Attempt {

    /**
     * @param r             the HelmRelease
     * @param desired       the desired state released
     * @param before        the stored inventory row before the attempt, or null (not changed)
     * @param state         the release state the attempt counted from (already reset for a new generation or bundle;
     *                      not changed)
     * @param outcome       what the install or upgrade came to
     * @param took          the attempt's wall time
     * @param retry         the rate limiter ({@code conflux.applier.min-retry-delay}, {@code max-retry-delay}) that
     *                      requeues a failure with remediation retries left
     * @param errorsBefore  the object's rate-limited attempts in a row before this one ({@link Run#errors})
     * @param controller    the events' {@code reportingController}
     * @return what the attempt writes
     */
    public static ReleaseAttempt of(Reconcilable.OfHelmRelease r, DesiredState desired, InventoryRecord before,
                                    ReleaseState state, ReleaseOutcome outcome, Duration took, RetryPolicy retry,
                                    int errorsBefore, String controller) {
        String release = r.releaseName();
        String revision = desired.sourceRevision;
        long generation = desired.generation;
        String releaseMessage = outcome.releaseMessage(release, revision);
        String remediationMessage = outcome.remediationMessage(release, before == null ? null : before.appliedRevision);

        InventoryRecord inventory = Records.inventory(r.key(), before, outcome.inventory());
        if (outcome.released()) {
            Records.applied(inventory, desired);
        } else if (outcome.uninstalled()) {
            inventory.appliedDigest = null;
            inventory.appliedGeneration = 0;
            inventory.appliedRevision = null;
            inventory.appliedSequence = null;
        }
        ReleaseState after = copy(state);
        after.lastAction = outcome.action().toString();
        after.count(outcome.counters());
        after.stalled = outcome.stalled();
        after.updatedAt = OffsetDateTime.now();

        List<ReconcileHistory> rows = new ArrayList<>();
        ReconcileHistory attempt = Records.history(r.key(), desired, outcome.releaseReason(), outcome.released(),
                releaseMessage, took);
        Records.counts(attempt, outcome.attempt());
        rows.add(attempt);
        if (outcome.remediation() != null) {
            ReconcileHistory remediated = Records.history(r.key(), desired, outcome.remediationReason(), false,
                    remediationMessage, took);
            Records.counts(remediated, outcome.remediation());
            rows.add(remediated);
        }

        List<Condition> conditions = Conditions.set(Records.conditions(r), condition(HelmReasons.RELEASED,
                outcome.released(), generation, outcome.releaseReason(), releaseMessage));
        if (outcome.remediation() != null) {
            conditions = Conditions.set(conditions, condition(HelmReasons.REMEDIATED, outcome.remediation().succeeded(),
                    generation, outcome.remediationReason(), remediationMessage));
        } else if (outcome.released()) {
            conditions = without(conditions, HelmReasons.REMEDIATED);
        }
        conditions = outcome.stalled()
                ? Conditions.set(conditions, condition(HelmReasons.STALLED, true, generation, HelmReasons.RETRIES_EXCEEDED,
                        outcome.stalledMessage()))
                : without(conditions, HelmReasons.STALLED);
        String readyMessage = outcome.released() || remediationMessage == null ? releaseMessage : remediationMessage;
        conditions = Conditions.set(conditions, Conditions.ready(outcome.released(), generation, outcome.readyReason(),
                readyMessage));

        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("lastAttemptedRevision", revision);
        status.put("lastAttemptedGeneration", generation);
        status.put("lastAttemptedReleaseAction", outcome.action().toString());
        status.put("failures", outcome.counters().failures());
        status.put("installFailures", outcome.counters().installFailures());
        status.put("upgradeFailures", outcome.counters().upgradeFailures());
        if (r.requestedAt() != null) {
            status.put("lastHandledReconcileAt", r.requestedAt());
        }
        // no status.inventory nor lastAppliedRevision: Flux's HelmRelease v2 has neither (the API server prunes them);
        // the inventory is the applier's row (Records.inventory), the applied revision Reconcilable.appliedRevision

        List<FluxEvent> events = new ArrayList<>();
        events.add(Events.of(r.object(), outcome.released() ? FluxEvent.INFO : FluxEvent.ERROR, outcome.releaseReason(),
                releaseMessage, revision, controller));
        if (outcome.remediation() != null) {
            events.add(Events.of(r.object(), outcome.remediation().succeeded() ? FluxEvent.INFO : FluxEvent.ERROR,
                    outcome.remediationReason(), remediationMessage, revision, controller));
        }
        boolean requeue = !outcome.released() && outcome.retry();
        Duration nextRun = outcome.released() ? Records.nextRunIn(r, true)
                : requeue ? retry.afterError(errorsBefore) : null;
        return new ReleaseAttempt(List.copyOf(rows), inventory, after, status, List.copyOf(events), nextRun, requeue);
    }

    private static ReleaseState copy(ReleaseState state) {
        ReleaseState copy = new ReleaseState();
        copy.reset(state.objectKey, state.generation, state.bundleDigest);
        copy.count(state.counters());
        copy.lastAction = state.lastAction;
        copy.stalled = state.stalled;
        copy.updatedAt = state.updatedAt;
        return copy;
    }

    private static Condition condition(String type, boolean status, long generation, String reason, String message) {
        return new Condition(type, status ? "True" : "False", generation, Conditions.now(), reason, message);
    }

    private static List<Condition> without(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> !type.equals(c.type())).toList();
    }
}
