package io.conflux.applier.apply;

/**
 * helm-controller's {@code spec.install.crds} / {@code spec.upgrade.crds} ({@code CRDsPolicy},
 * {@code helm.toolkit.fluxcd.io/v2}): what a release does with the CustomResourceDefinitions of its chart. Conflux
 * applies it to every CustomResourceDefinition of the rendered bundle (the chart's {@code crds/} files and templated
 * ones alike). Whatever the policy, a release never prunes or deletes a CRD (Helm never deletes CRDs).
 */
public enum CrdPolicy {
    /** CRDs are neither created nor updated (the upgrade default). */
    SKIP,
    /** New CRDs are created, existing ones neither updated nor deleted (the install default). */
    CREATE,
    /** New CRDs are created, existing ones updated. */
    CREATE_REPLACE;

    /**
     * @param value    {@code Skip}, {@code Create}, {@code CreateReplace}, or null for {@code otherwise}
     * @param otherwise the default when {@code value} is null
     * @param field    the field named in the error, e.g. {@code spec.install.crds}
     * @return the policy
     * @throws IllegalArgumentException naming {@code field} when {@code value} is none of the three
     */
    public static CrdPolicy of(Object value, CrdPolicy otherwise, String field) {
        if (value == null) {
            return otherwise;
        }
        return switch (String.valueOf(value)) {
            case "Skip" -> SKIP;
            case "Create" -> CREATE;
            case "CreateReplace" -> CREATE_REPLACE;
            default -> throw new IllegalArgumentException(field + " must be Skip, Create or CreateReplace, not '" + value + "'");
        };
    }
}
