package io.conflux.applier.release;

import io.conflux.applier.apply.CrdPolicy;
import io.conflux.model.meta.GoDuration;
import java.time.Duration;
import java.util.Map;

/**
 * The applier-side options of one Helm action, read from a HelmRelease's {@code spec.install} or {@code spec.upgrade}
 * with helm-controller's defaults ({@code helm.toolkit.fluxcd.io/v2} {@code Install}/{@code Upgrade}): {@code crds}
 * (install {@code Create}, upgrade {@code Skip}; the deprecated {@code install.skipCRDs: true} means {@code Skip}),
 * {@code disableWait} (false: every release object is awaited with kstatus), {@code disableWaitForJobs} (false: Jobs
 * are awaited until complete), {@code timeout} (else {@code spec.timeout}, else 5m), and for upgrades {@code force}
 * (recreate objects whose immutable fields changed) and {@code cleanupOnFail} (delete the objects a failed upgrade
 * created). Pure.
 *
 * @param crds          the CRD policy
 * @param await         whether the release's objects are awaited until Current after the apply
 * @param awaitJobs     whether Jobs are among them (awaited until complete)
 * @param force         whether an object whose immutable fields changed is deleted and created again
 * @param cleanupOnFail whether the objects a failed action created are deleted (when no remediation ran)
 * @param timeout       how long the apply and the wait may take
 */
public record ReleaseOptions(CrdPolicy crds, boolean await, boolean awaitJobs, boolean force, boolean cleanupOnFail,
                             Duration timeout) {
    /** helm-controller's default {@code spec.timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /**
     * @param install     {@code spec.install}, or null
     * @param specTimeout {@code spec.timeout} (Go duration), or null
     * @throws IllegalArgumentException naming the field when a value has the wrong type or is not allowed
     */
    public static ReleaseOptions install(Map<String, Object> install, String specTimeout) {
        Map<String, Object> i = install == null ? Map.of() : install;
        CrdPolicy otherwise = SpecBoolean.of(i.get("skipCRDs"), false, "spec.install.skipCRDs") ? CrdPolicy.SKIP : CrdPolicy.CREATE;
        return new ReleaseOptions(CrdPolicy.of(i.get("crds"), otherwise, "spec.install.crds"),
                !SpecBoolean.of(i.get("disableWait"), false, "spec.install.disableWait"),
                !SpecBoolean.of(i.get("disableWaitForJobs"), false, "spec.install.disableWaitForJobs"), false, false,
                timeout(i.get("timeout"), specTimeout, "spec.install.timeout"));
    }

    /**
     * @param upgrade     {@code spec.upgrade}, or null
     * @param specTimeout {@code spec.timeout} (Go duration), or null
     * @throws IllegalArgumentException naming the field when a value has the wrong type or is not allowed
     */
    public static ReleaseOptions upgrade(Map<String, Object> upgrade, String specTimeout) {
        Map<String, Object> u = upgrade == null ? Map.of() : upgrade;
        return new ReleaseOptions(CrdPolicy.of(u.get("crds"), CrdPolicy.SKIP, "spec.upgrade.crds"),
                !SpecBoolean.of(u.get("disableWait"), false, "spec.upgrade.disableWait"),
                !SpecBoolean.of(u.get("disableWaitForJobs"), false, "spec.upgrade.disableWaitForJobs"),
                SpecBoolean.of(u.get("force"), false, "spec.upgrade.force"),
                SpecBoolean.of(u.get("cleanupOnFail"), false, "spec.upgrade.cleanupOnFail"),
                timeout(u.get("timeout"), specTimeout, "spec.upgrade.timeout"));
    }

    private static Duration timeout(Object action, String spec, String field) {
        if (action != null) {
            return parse(String.valueOf(action), field);
        }
        return spec == null ? DEFAULT_TIMEOUT : parse(spec, "spec.timeout");
    }

    private static Duration parse(String value, String field) {
        try {
            return GoDuration.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + " must be a duration such as 5m, not '" + value + "'");
        }
    }
}
