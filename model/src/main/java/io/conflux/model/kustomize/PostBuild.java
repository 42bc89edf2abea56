package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code spec.postBuild}: variable substitution after the kustomize build (kustomize-controller's "Post build
 * variable substitution"). {@code substituteStrategy} is {@code WithVariables} (null: the default, substitute only
 * when a variable is defined) or {@code Always} (Flux 2.8+).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PostBuild(Map<String, String> substitute, List<SubstituteReference> substituteFrom,
                        String substituteStrategy) {

    /** Without {@code substituteStrategy} (the default, {@code WithVariables}). */
    public PostBuild(Map<String, String> substitute, List<SubstituteReference> substituteFrom) {
        this(substitute, substituteFrom, null);
    }

    /** A ConfigMap or Secret whose data are substitution variables. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SubstituteReference(String kind, String name, Boolean optional) {
    }
}
