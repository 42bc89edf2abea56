package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An entry of {@code spec.patches}: a strategic merge or JSON 6902 patch (YAML text) and its target,
 * the same shape as kustomize's {@code patches} field.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Patch(String patch, Selector target) {
}
