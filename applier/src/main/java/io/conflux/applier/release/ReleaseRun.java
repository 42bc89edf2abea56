package io.conflux.applier.release;

import io.conflux.applier.apply.ApplyOptions;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.Change;
import io.conflux.applier.apply.CrdPolicy;
import io.conflux.applier.apply.HealthChecker;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One install or upgrade of a HelmRelease's rendered bundle with helm-controller's failure handling, for Conflux's
 * render-and-apply releases (the bundle's objects are the release): the bundle is applied with the action's CRD
 * policy and pruned (never a CRD or a {@code helm.sh/resource-policy: keep} object); unless {@code disableWait}, every
 * object of the release is then awaited until Current by kstatus ({@link HealthChecker}; Jobs until complete unless
 * {@code disableWaitForJobs}) within the action's timeout, a timeout or a failed object failing the action with
 * {@code health check failed after <timeout>: ...} as helm-controller's wait does. A failure (apply or health) counts
 * against the action's {@code retries}; it is remediated when retries are left or {@code remediateLastFailure} holds —
 * an install by uninstalling (deleting what the attempt applied), an upgrade by rolling back (re-applying the last
 * successfully released bundle, pruning what the failed upgrade added) or by uninstalling when its strategy says so;
 * the remediation is not awaited. A failed upgrade not remediated deletes the objects it created when
 * {@code cleanupOnFail} holds. Each action runs inside its chart hooks ({@link ReleaseHooks}: pre-hooks, then the apply and
 * the wait, then post-hooks and tests; a failed hook or test fails it like a failed apply). Blocking: call from a worker
 * thread, outside any database session.
 */
public final class ReleaseRun {
    private final ObjectApplier applier;
    private final HealthChecker health;
    private final Map<String, String> ownerLabels;
    private final ReleaseHooks hooks;

    /**
     * @param applier     applies to the release's target cluster
     * @param health      reads the release's objects on the same cluster for the wait
     * @param ownerLabels helm-controller's labels for the release's objects
     */
    public ReleaseRun(ObjectApplier applier, HealthChecker health, Map<String, String> ownerLabels) {
        this(applier, health, ownerLabels, ReleaseHooks.NONE);
    }

    /**
     * @param hooks the release's hooks and tests, run around each action ({@link ReleaseHooks})
     */
    public ReleaseRun(ObjectApplier applier, HealthChecker health, Map<String, String> ownerLabels, ReleaseHooks hooks) {
        this.applier = applier;
        this.health = health;
        this.ownerLabels = ownerLabels;
        this.hooks = hooks;
    }

    /**
     * @param action    install (nothing released yet) or upgrade
     * @param objects   the new bundle's objects
     * @param lastGood  the objects of the last successfully released bundle (for a rollback), or null when none
     * @param previous  the objects the release owns now
     * @param counters  failure counters before this attempt (already reset for a new spec, chart or values)
     * @param install   {@code spec.install.remediation}
     * @param upgrade   {@code spec.upgrade.remediation}
     * @param options   the action's options ({@code spec.install} for an install, {@code spec.upgrade} for an upgrade)
     * @return the outcome, remediation included
     */
    public ReleaseOutcome run(ReleaseAction action, List<Map<String, Object>> objects, List<Map<String, Object>> lastGood,
                              List<InventoryEntry> previous, ReleaseCounters counters, Remediation install,
                              Remediation upgrade, ReleaseOptions options) {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        ApplyResult attempt = hooks.release(action, previous, () -> {
            ApplyResult applied = applier.apply(objects, ownerLabels, previous,
                    ApplyOptions.helm(true, options.force(), options.timeout(), options.crds()));
            return applied.succeeded() && options.await()
                    ? await(applied, options, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
                    : applied;
        });
        if (attempt.succeeded()) {
            return new ReleaseOutcome(action, attempt, null, null, counters, false, false);
        }
        ReleaseCounters failed = counters.failed(action);
        Remediation remediation = action == ReleaseAction.INSTALL ? install : upgrade;
        int failures = failed.of(action);
        boolean retry = remediation.canRetry(failures);
        ApplyOptions remediate = ApplyOptions.helm(true, false, options.timeout(), CrdPolicy.SKIP);
        if (!remediation.remediates(failures)) {
            return new ReleaseOutcome(action, options.cleanupOnFail() ? cleanUp(attempt, remediate) : attempt, null,
                    null, failed, retry, false);
        }
        if (action == ReleaseAction.INSTALL || Remediation.UNINSTALL.equals(remediation.strategy())) {
            ApplyResult uninstall = hooks.uninstall(hooks.hooks(), attempt.inventory(),
                    () -> applier.apply(List.of(), ownerLabels, attempt.inventory(), remediate));
            return new ReleaseOutcome(action, attempt, uninstall, uninstall.succeeded()
                    ? HelmReasons.UNINSTALL_SUCCEEDED : HelmReasons.UNINSTALL_FAILED, failed, retry, uninstall.succeeded());
        }
        ApplyResult rollback = lastGood == null
                ? ApplyResult.of(List.of(), attempt.inventory(), "missing target release for rollback")
                : hooks.rollback(attempt.inventory(), () -> applier.apply(lastGood, ownerLabels, attempt.inventory(), remediate));
        return new ReleaseOutcome(action, attempt, rollback, rollback.succeeded()
                ? HelmReasons.ROLLBACK_SUCCEEDED : HelmReasons.ROLLBACK_FAILED, failed, retry, false);
    }

    /**
     * Helm's wait: every object of the release Current (Jobs complete unless {@code disableWaitForJobs}); the CRDs are
     * not waited for, as Helm's wait covers the release manifest, not the chart's {@code crds/}.
     *
     * @return {@code applied}, or it failed with {@code HealthCheckFailed} and helm-controller's wait message
     */
    private ApplyResult await(ApplyResult applied, ReleaseOptions options, Duration left) {
        List<InventoryEntry> waited = applied.inventory().stream()
                .filter(e -> !"CustomResourceDefinition".equals(e.kind()))
                .filter(e -> options.awaitJobs() || !("Job".equals(e.kind()) && "batch".equals(e.group())))
                .toList();
        return health.await(waited, left)
                .map(message -> applied.failedWith(FluxReasons.HEALTH_CHECK_FAILED, "health check failed after "
                        + GoDuration.format(options.timeout()) + ": " + message))
                .orElse(applied);
    }

    /**
     * Helm's {@code cleanupOnFail}: the objects the failed action created are deleted and leave the inventory.
     *
     * @return the failed attempt with the cleanup's changes appended and its inventory without what was deleted
     */
    private ApplyResult cleanUp(ApplyResult failed, ApplyOptions options) {
        Set<String> created = failed.changes().stream().filter(c -> c.action() == Change.Action.CREATED)
                .map(Change::subject).collect(Collectors.toSet());
        List<InventoryEntry> doomed = failed.inventory().stream().filter(e -> created.contains(e.subject())).toList();
        if (doomed.isEmpty()) {
            return failed;
        }
        ApplyResult cleanup = applier.apply(List.of(), ownerLabels, doomed, options);
        Set<String> gone = cleanup.changes().stream().filter(c -> c.action() == Change.Action.DELETED)
                .map(Change::subject).collect(Collectors.toSet());
        List<Change> changes = new ArrayList<>(failed.changes());
        changes.addAll(cleanup.changes());
        List<InventoryEntry> kept = failed.inventory().stream().filter(e -> !gone.contains(e.subject())).toList();
        String error = cleanup.succeeded() ? failed.error() : failed.error() + "; cleanup on fail: " + cleanup.error();
        return new ApplyResult(List.copyOf(changes), kept, error, failed.reason());
    }
}
