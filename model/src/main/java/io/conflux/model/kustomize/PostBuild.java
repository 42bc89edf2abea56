package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** {@code spec.postBuild}: variable substitution after the kustomize build. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PostBuild(Map<String, String> substitute, List<SubstituteReference> substituteFrom) {

    /** A ConfigMap or Secret whose data are substitution variables. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SubstituteReference(String kind, String name, Boolean optional) {
    }
}
