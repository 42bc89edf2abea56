package io.conflux.applier.release;

import java.util.Map;

/**
 * A HelmRelease's {@code spec.install.remediation} or {@code spec.upgrade.remediation}, with helm-controller's
 * defaults: {@code retries} 0 (a negative number retries forever); the install strategy is always an uninstall, the
 * upgrade {@code strategy} is {@code rollback} (or {@code uninstall}); {@code remediateLastFailure} defaults to false
 * for installs and, for upgrades, to whether {@code retries} is greater than 0. {@code ignoreTestFailures} is read by
 * {@link ReleaseHooks.Settings}.
 *
 * @param retries              how many times a failed action is tried again; negative: without end
 * @param remediateLastFailure whether the failure that exhausts the retries is remediated too
 * @param strategy             {@link #ROLLBACK} or {@link #UNINSTALL}
 */
public record Remediation(int retries, boolean remediateLastFailure, String strategy) {
    /** Re-apply the last successfully released bundle. */
    public static final String ROLLBACK = "rollback";
    /** Delete every object of the release. */
    public static final String UNINSTALL = "uninstall";

    /**
     * @param install {@code spec.install}, or null
     * @throws IllegalArgumentException naming the field when a value has the wrong type
     */
    public static Remediation install(Map<String, Object> install) {
        Map<?, ?> r = remediation(install, "install");
        int retries = integer(r.get("retries"), "spec.install.remediation.retries");
        return new Remediation(retries, SpecBoolean.of(r.get("remediateLastFailure"), false, "spec.install.remediation.remediateLastFailure"),
                UNINSTALL);
    }

    /**
     * @param upgrade {@code spec.upgrade}, or null
     * @throws IllegalArgumentException naming the field when a value has the wrong type or the strategy is unknown
     */
    public static Remediation upgrade(Map<String, Object> upgrade) {
        Map<?, ?> r = remediation(upgrade, "upgrade");
        int retries = integer(r.get("retries"), "spec.upgrade.remediation.retries");
        Object strategy = r.get("strategy");
        String s = strategy == null ? ROLLBACK : String.valueOf(strategy);
        if (!ROLLBACK.equals(s) && !UNINSTALL.equals(s)) {
            throw new IllegalArgumentException("spec.upgrade.remediation.strategy must be rollback or uninstall, not '" + s + "'");
        }
        return new Remediation(retries, SpecBoolean.of(r.get("remediateLastFailure"), retries > 0,
                "spec.upgrade.remediation.remediateLastFailure"), s);
    }

    /** @return whether the action may be tried again after {@code failures} failures of it */
    public boolean canRetry(int failures) {
        return retries < 0 || failures <= retries;
    }

    /** @return whether the failure number {@code failures} is remediated */
    public boolean remediates(int failures) {
        return canRetry(failures) || remediateLastFailure;
    }

    private static Map<?, ?> remediation(Map<String, Object> action, String name) {
        if (action == null || action.get("remediation") == null) {
            return Map.of();
        }
        if (action.get("remediation") instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException("spec." + name + ".remediation must be an object");
    }

    private static int integer(Object value, String field) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be an integer, not '" + value + "'");
        }
    }
}
