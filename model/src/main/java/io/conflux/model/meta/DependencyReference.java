package io.conflux.model.meta;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An entry of {@code spec.dependsOn}: an object of the same kind, namespace defaulting to the referrer's
 * ({@code meta.NamespacedObjectReference} with Flux 2.7's {@code readyExpr}, as kustomize-controller's and
 * helm-controller's {@code DependencyReference}).
 *
 * @param name      the dependency's name
 * @param namespace its namespace, null or empty for the referrer's
 * @param readyExpr a CEL expression over {@code dep} (the dependency) and {@code self} (the referrer), both the whole
 *                  object as a map, that decides whether the dependency is ready; null or empty for Flux's built-in
 *                  check (Ready=True at its generation, last applied revision)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DependencyReference(String name, String namespace, String readyExpr) {

    /** @return whether {@code readyExpr} is set (not null, not blank) */
    public boolean hasReadyExpr() {
        return readyExpr != null && !readyExpr.isBlank();
    }

    /** @return the namespace, or {@code defaultNamespace} when none is set */
    public String namespaceOr(String defaultNamespace) {
        return namespace == null || namespace.isEmpty() ? defaultNamespace : namespace;
    }
}
