package io.conflux.applier.release;

/**
 * helm-controller's failure counters ({@code status.failures}, {@code installFailures}, {@code upgradeFailures}),
 * reset when the HelmRelease's spec, chart or values change.
 *
 * @param failures        every failed install or upgrade
 * @param installFailures failed installs
 * @param upgradeFailures failed upgrades
 */
public record ReleaseCounters(int failures, int installFailures, int upgradeFailures) {
    /** No failures. */
    public static final ReleaseCounters NONE = new ReleaseCounters(0, 0, 0);

    /** @return the counters after one more failure of {@code action} */
    public ReleaseCounters failed(ReleaseAction action) {
        return action == ReleaseAction.INSTALL ? new ReleaseCounters(failures + 1, installFailures + 1, upgradeFailures)
                : new ReleaseCounters(failures + 1, installFailures, upgradeFailures + 1);
    }

    /** @return the failures of {@code action} */
    public int of(ReleaseAction action) {
        return action == ReleaseAction.INSTALL ? installFailures : upgradeFailures;
    }
}
