package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** kustomize's patch target selector; name, namespace and kind may be regular expressions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Selector(String group, String version, String kind, String name, String namespace,
                       String annotationSelector, String labelSelector) {
}
