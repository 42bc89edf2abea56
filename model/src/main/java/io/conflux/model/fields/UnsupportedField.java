package io.conflux.model.fields;

/**
 * A field present on a Flux object that Conflux does not act on.
 *
 * @param kind   the object's kind
 * @param path   the field's path from the object's root, {@code []} for list elements (e.g. {@code spec.dependsOn[].readyExpr})
 * @param known  true when the field is in Conflux's table (a Flux field it does not implement); false for a field it
 *               does not know at all (a typo, or a field of a newer Flux release)
 * @param reason why it is not acted on
 */
public record UnsupportedField(String kind, String path, boolean known, String reason) {

    /** @return {@code path (reason)}, as events and {@code conflux check} print it */
    public String describe() {
        return path + " (" + reason + ")";
    }
}
