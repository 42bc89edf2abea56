package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** {@code spec.commonMetadata}: labels and annotations added to every object (not to selectors). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CommonMetadata(Map<String, String> labels, Map<String, String> annotations) {
}
