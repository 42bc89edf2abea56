package io.conflux.applier.release;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import java.util.List;

/**
 * What one install or upgrade of a HelmRelease came to, remediation included.
 *
 * @param action            install or upgrade
 * @param attempt           the apply of the new bundle
 * @param remediation       the rollback or uninstall that followed a failure, or null when none ran
 * @param remediationReason {@code RollbackSucceeded|RollbackFailed|UninstallSucceeded|UninstallFailed}, or null
 * @param counters          the failure counters after this attempt
 * @param retry             whether the action will be tried again (a failure with retries left)
 * @param uninstalled       whether the remediation removed the release (the next attempt is an install)
 */
public record ReleaseOutcome(ReleaseAction action, ApplyResult attempt, ApplyResult remediation,
                             String remediationReason, ReleaseCounters counters, boolean retry, boolean uninstalled) {

    /** @return whether the new bundle was applied */
    public boolean released() {
        return attempt.succeeded();
    }

    /** @return whether the release failed and will not be tried again until its spec, chart or values change */
    public boolean stalled() {
        return !released() && !retry;
    }

    /** @return the objects the release owns now: after the remediation if one ran */
    public List<InventoryEntry> inventory() {
        return remediation != null ? remediation.inventory() : attempt.inventory();
    }

    /** @return {@code InstallSucceeded}, {@code InstallFailed}, {@code UpgradeSucceeded} or {@code UpgradeFailed} */
    public String releaseReason() {
        return action.capitalized() + (released() ? "Succeeded" : "Failed");
    }

    /** @return the Ready reason: the release's, or the remediation's when one ran (helm-controller's) */
    public String readyReason() {
        return released() || remediationReason == null ? releaseReason() : remediationReason;
    }

    /**
     * @param release  {@code <namespace>/<release name>}
     * @param revision the chart revision attempted
     * @return {@code Helm upgrade succeeded for release ns/name with chart 1.2.3}, or {@code ... failed ...: <error>}
     */
    public String releaseMessage(String release, String revision) {
        return "Helm " + action + (released() ? " succeeded" : " failed") + " for release " + release + " with chart "
                + revision + (released() ? "" : ": " + attempt.error());
    }

    /**
     * @param release          {@code <namespace>/<release name>}
     * @param previousRevision the chart revision rolled back to
     * @return helm-controller's remediation message, or null when none ran
     */
    public String remediationMessage(String release, String previousRevision) {
        if (remediationReason == null) {
            return null;
        }
        boolean ok = remediation.succeeded();
        return switch (remediationReason) {
            case HelmReasons.ROLLBACK_SUCCEEDED, HelmReasons.ROLLBACK_FAILED -> "Helm rollback to previous release "
                    + release + " with chart " + previousRevision + (ok ? " succeeded" : " failed: " + remediation.error());
            default -> "Helm uninstall " + (ok ? "succeeded" : "failed") + " for release " + release
                    + (ok ? "" : ": " + remediation.error());
        };
    }

    /** @return {@code Failed to upgrade after 2 attempt(s)}, the Stalled message */
    public String stalledMessage() {
        return "Failed to " + action + " after " + counters.of(action) + " attempt(s)";
    }
}
