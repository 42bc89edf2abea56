package io.conflux.model.meta;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Flux's {@code CrossNamespaceSourceReference}/{@code CrossNamespaceObjectReference}: a reference to an object
 * that defaults to the referrer's namespace.
 *
 * @param apiVersion optional API version of the referent
 * @param kind       referent kind, e.g. {@code GitRepository}
 * @param name       referent name
 * @param namespace  referent namespace; null means the referrer's namespace
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CrossNamespaceObjectReference(String apiVersion, String kind, String name, String namespace) {

    /** @return the namespace, or {@code defaultNamespace} when none is set */
    public String namespaceOr(String defaultNamespace) {
        return namespace == null || namespace.isEmpty() ? defaultNamespace : namespace;
    }
}
