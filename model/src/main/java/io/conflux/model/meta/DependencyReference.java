package io.conflux.model.meta;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** An entry of {@code spec.dependsOn}: an object of the same kind, namespace defaulting to the referrer's. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DependencyReference(String name, String namespace) {

    /** @return the namespace, or {@code defaultNamespace} when none is set */
    public String namespaceOr(String defaultNamespace) {
        return namespace == null || namespace.isEmpty() ? defaultNamespace : namespace;
    }
}
