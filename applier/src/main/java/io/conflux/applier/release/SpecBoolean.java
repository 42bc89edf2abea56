package io.conflux.applier.release;

/**
 * Reads a boolean field of a HelmRelease spec kept as a tree ({@code install}, {@code upgrade} and their
 * {@code remediation}): a JSON boolean, or the strings {@code true}/{@code false} in any case (as a YAML tree may hold
 * them).
 */
final class SpecBoolean {
    private SpecBoolean() {
    }

    /**
     * @param value     the field's value, or null when absent
     * @param otherwise the value of an absent field (helm-controller's default)
     * @param field     the field's path, for the error, e.g. {@code spec.install.disableWait}
     * @return the field's value
     * @throws IllegalArgumentException naming the field when the value is neither a boolean nor true/false
     */
    static boolean of(Object value, boolean otherwise, String field) {
        if (value == null) {
            return otherwise;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(value).trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(field + " must be true or false, not '" + value + "'");
    }
}
