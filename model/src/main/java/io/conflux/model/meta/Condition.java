package io.conflux.model.meta;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A Kubernetes status condition ({@code metav1.Condition}), as Flux writes them.
 *
 * @param type               condition type, e.g. {@code Ready}, {@code Reconciling}, {@code Stalled}
 * @param status             {@code "True"}, {@code "False"} or {@code "Unknown"}
 * @param observedGeneration the {@code metadata.generation} the condition was computed for
 * @param lastTransitionTime RFC 3339 time of the last change of {@code status}
 * @param reason             CamelCase reason, see {@link FluxReasons}
 * @param message            human-readable detail
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Condition(String type, String status, Long observedGeneration, String lastTransitionTime,
                        String reason, String message) {

    /** Condition type every Flux object carries. */
    public static final String READY = "Ready";
    /** Condition type set while a reconciliation is in flight. */
    public static final String RECONCILING = "Reconciling";

    /** @return whether {@code status} is {@code "True"} (not serialized) */
    @JsonIgnore
    public boolean isTrue() {
        return "True".equals(status);
    }
}
