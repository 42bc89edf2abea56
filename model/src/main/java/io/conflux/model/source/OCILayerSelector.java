package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code OCIRepository.spec.layerSelector}.
 *
 * @param mediaType the media type of the layer that is the artifact; null: the first layer
 * @param operation {@code extract} (default: the layer is a tar+gzip whose files are the artifact) or {@code copy}
 *                  (the layer is stored as it is; Conflux renders Kustomizations from a copied tar+gzip layer too)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OCILayerSelector(String mediaType, String operation) {
    /** Flux's default: the first layer, extracted. */
    public static final OCILayerSelector DEFAULT = new OCILayerSelector(null, "extract");
    /** Operation {@code extract}. */
    public static final String EXTRACT = "extract";
    /** Operation {@code copy}. */
    public static final String COPY = "copy";

    /** @return the operation, {@code extract} when absent */
    public String operationOrDefault() {
        return operation == null || operation.isBlank() ? EXTRACT : operation;
    }
}
