package io.conflux.model.kustomize;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** {@code status.inventory}: the objects a Kustomization applied, in Flux's format. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResourceInventory(List<ResourceRef> entries) {

    /**
     * One inventory entry.
     *
     * @param id {@code <namespace>_<name>_<group>_<kind>} (namespace and group empty for cluster-scoped / core)
     * @param v  the API version the object was applied with
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResourceRef(String id, String v) {
    }
}
