package io.conflux.applier.release;

import io.conflux.applier.apply.ApplyOptions;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One install or upgrade of a HelmRelease's rendered bundle with helm-controller's failure handling, for Conflux's
 * render-and-apply releases (the bundle's objects are the release): the bundle is applied and pruned; a failure
 * counts against the action's {@code retries}; it is remediated when retries are left or
 * {@code remediateLastFailure} holds — an install by uninstalling (deleting what the attempt applied), an upgrade
 * by rolling back (re-applying the last successfully released bundle, pruning what the failed upgrade added) or by
 * uninstalling when its strategy says so. Each action runs inside its chart hooks ({@link ReleaseHooks}: a failed hook or
 * test fails it like a failed apply). Blocking: call from a worker thread, outside any database session.
 */
public final class ReleaseRun {
    private final ObjectApplier applier;
    private final Map<String, String> ownerLabels;
    private final Duration waitTimeout;
    private final ReleaseHooks hooks;

    /**
     * @param applier     applies to the release's target cluster
     * @param ownerLabels helm-controller's labels for the release's objects
     * @param waitTimeout how long objects recreated by the applier may take to go
     */
    public ReleaseRun(ObjectApplier applier, Map<String, String> ownerLabels, Duration waitTimeout) {
        this(applier, ownerLabels, waitTimeout, ReleaseHooks.NONE);
    }

    /**
     * @param hooks the release's hooks and tests, run around each action ({@link ReleaseHooks})
     */
    public ReleaseRun(ObjectApplier applier, Map<String, String> ownerLabels, Duration waitTimeout, ReleaseHooks hooks) {
        this.applier = applier;
        this.ownerLabels = ownerLabels;
        this.waitTimeout = waitTimeout;
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
     * @return the outcome, remediation included
     */
    public ReleaseOutcome run(ReleaseAction action, List<Map<String, Object>> objects, List<Map<String, Object>> lastGood,
                              List<InventoryEntry> previous, ReleaseCounters counters, Remediation install,
                              Remediation upgrade) {
        ApplyOptions prune = new ApplyOptions(true, false, waitTimeout);
        ApplyResult attempt = hooks.release(action, previous, () -> applier.apply(objects, ownerLabels, previous, prune));
        if (attempt.succeeded()) {
            return new ReleaseOutcome(action, attempt, null, null, counters, false, false);
        }
        ReleaseCounters failed = counters.failed(action);
        Remediation remediation = action == ReleaseAction.INSTALL ? install : upgrade;
        int failures = failed.of(action);
        boolean retry = remediation.canRetry(failures);
        if (!remediation.remediates(failures)) {
            return new ReleaseOutcome(action, attempt, null, null, failed, retry, false);
        }
        if (action == ReleaseAction.INSTALL || Remediation.UNINSTALL.equals(remediation.strategy())) {
            ApplyResult uninstall = hooks.uninstall(hooks.hooks(), attempt.inventory(),
                    () -> applier.apply(List.of(), ownerLabels, attempt.inventory(), prune));
            return new ReleaseOutcome(action, attempt, uninstall, uninstall.succeeded()
                    ? HelmReasons.UNINSTALL_SUCCEEDED : HelmReasons.UNINSTALL_FAILED, failed, retry, uninstall.succeeded());
        }
        ApplyResult rollback = lastGood == null
                ? ApplyResult.of(List.of(), attempt.inventory(), "missing target release for rollback")
                : hooks.rollback(attempt.inventory(), () -> applier.apply(lastGood, ownerLabels, attempt.inventory(), prune));
        return new ReleaseOutcome(action, attempt, rollback, rollback.succeeded()
                ? HelmReasons.ROLLBACK_SUCCEEDED : HelmReasons.ROLLBACK_FAILED, failed, retry, false);
    }
}
