package io.conflux.model.fields;

/**
 * One row of Conflux's field table: what it does with a Flux kind's field.
 *
 * @param kind    Flux kind, e.g. {@code Kustomization}
 * @param path    field path from the object's root, e.g. {@code spec.kubeConfig.configMapRef}; {@code []} stands for
 *                the elements of a list ({@code spec.dependsOn[].readyExpr})
 * @param support acted on, partly, or not
 * @param note    the limits or the reason, empty when there is nothing to add
 */
public record FieldRule(String kind, String path, Support support, String note) {
}
