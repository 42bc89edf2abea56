package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/**
 * {@code ArtifactGenerator.status}, Flux {@code source.extensions.fluxcd.io/v1beta1}.
 *
 * @param lastHandledReconcileAt the last {@code reconcile.fluxcd.io/requestedAt} handled
 * @param conditions             {@code Ready} ({@code Succeeded}, {@code BuildFailed}, {@code SourceFetchFailed},
 *                               {@code ReconciliationFailed}), {@code Stalled}, {@code Reconciling}
 * @param inventory              the generated ExternalArtifacts with their digests
 * @param observedSourcesDigest  {@code sha256:<hex>} over the sources' aliases, digests, revisions and URLs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ArtifactGeneratorStatus(String lastHandledReconcileAt, List<Condition> conditions,
                                      List<InventoryEntry> inventory, String observedSourcesDigest) {

    /**
     * A generated ExternalArtifact (source-watcher's {@code ExternalArtifactReference}).
     *
     * @param name      its name
     * @param namespace its namespace
     * @param digest    its artifact's digest, {@code sha256:<hex>}
     * @param filename  the artifact's file name, {@code <hex>.tar.gz} in Flux's storage
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InventoryEntry(String name, String namespace, String digest, String filename) {
    }
}
