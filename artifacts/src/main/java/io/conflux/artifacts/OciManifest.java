package io.conflux.artifacts;

import java.util.List;
import java.util.Map;

/**
 * An OCI image manifest as far as an OCIRepository reads it.
 *
 * @param digest      {@code sha256:<hex>} of the manifest bytes (the revision's digest)
 * @param configType  the config descriptor's media type, e.g. {@code application/vnd.cncf.flux.config.v1+json}
 * @param layers      the layers in order
 * @param annotations the manifest's annotations (Flux copies them to {@code status.artifact.metadata}), never null
 */
public record OciManifest(String digest, String configType, List<Layer> layers, Map<String, String> annotations) {

    /**
     * A layer descriptor.
     *
     * @param mediaType e.g. {@code application/vnd.cncf.flux.content.v1.tar+gzip}
     * @param digest    {@code sha256:<hex>}
     * @param size      bytes
     */
    public record Layer(String mediaType, String digest, long size) {
    }

    /**
     * Selects the layer as source-controller's {@code selectLayer}: the first layer of {@code mediaType}, or the
     * first layer when no media type is given.
     *
     * @param mediaType {@code spec.layerSelector.mediaType}, or null
     * @param where     the artifact's reference, for messages
     * @return the layer
     * @throws ArtifactException {@code OCIArtifactLayerOperationFailed} when there is no layer, or none of that type
     */
    public Layer select(String mediaType, String where) {
        if (layers.isEmpty()) {
            throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED, "no layers found in artifact " + where);
        }
        if (mediaType == null || mediaType.isBlank()) {
            return layers.get(0);
        }
        return layers.stream().filter(l -> mediaType.equals(l.mediaType())).findFirst()
                .orElseThrow(() -> new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                        "failed to find layer with media type '" + mediaType + "' in artifact " + where));
    }
}
