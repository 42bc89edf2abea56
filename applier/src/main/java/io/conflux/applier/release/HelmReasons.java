package io.conflux.applier.release;

/**
 * helm-controller's condition types and reasons ({@code helm.toolkit.fluxcd.io/v2}), as a HelmRelease's status and
 * events carry them.
 */
public final class HelmReasons {
    private HelmReasons() {
    }

    /** Condition: the last install or upgrade succeeded (True) or failed (False). */
    public static final String RELEASED = "Released";
    /** Condition: a failure was remediated by a rollback or an uninstall. */
    public static final String REMEDIATED = "Remediated";
    /** Condition (kstatus): no further attempt will be made without a change. */
    public static final String STALLED = "Stalled";

    public static final String INSTALL_SUCCEEDED = "InstallSucceeded";
    public static final String INSTALL_FAILED = "InstallFailed";
    public static final String UPGRADE_SUCCEEDED = "UpgradeSucceeded";
    public static final String UPGRADE_FAILED = "UpgradeFailed";
    public static final String ROLLBACK_SUCCEEDED = "RollbackSucceeded";
    public static final String ROLLBACK_FAILED = "RollbackFailed";
    public static final String UNINSTALL_SUCCEEDED = "UninstallSucceeded";
    public static final String UNINSTALL_FAILED = "UninstallFailed";
    /** Condition: the cluster state of the release drifted (True) or not (False), with drift detection on. */
    public static final String DRIFTED = "Drifted";
    /** Drifted reason, and the Warning event's, when drift was found. */
    public static final String DRIFT_DETECTED = "DriftDetected";
    /** Drifted reason when the cluster state matches the release. */
    public static final String NO_DRIFT_DETECTED = "NoDriftDetected";
    /** Event reason once drift was corrected ({@code driftDetection.mode: enabled}). */
    public static final String DRIFT_CORRECTED = "DriftCorrected";
    /** Warning event reason when correcting drift failed. */
    public static final String DRIFT_CORRECTION_FAILED = "DriftCorrectionFailed";
    /** Condition: the last Helm tests of the release succeeded (True) or failed (False). */
    public static final String TEST_SUCCESS = "TestSuccess";
    public static final String TEST_SUCCEEDED = "TestSucceeded";
    public static final String TEST_FAILED = "TestFailed";
    /** Stalled reason once the retries of the failing action are used up. */
    public static final String RETRIES_EXCEEDED = "RetriesExceeded";
    /**
     * Ready reason of an error in the release path that is not an install/upgrade failure (helm-controller's atomic
     * release marks an action's error so); retried with the rate limiter's backoff, not counted by remediation.
     */
    public static final String RECONCILE_ERROR = "ReconcileError";
}
