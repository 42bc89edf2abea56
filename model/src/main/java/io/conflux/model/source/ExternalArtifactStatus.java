package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.Condition;
import java.util.List;

/**
 * {@code ExternalArtifact.status}, Flux {@code source.toolkit.fluxcd.io/v1}.
 *
 * @param artifact   the artifact (revision {@code latest@sha256:<hex>} or a source's revision, digest
 *                   {@code sha256:<hex>}, origin revision in {@code metadata}); null before the first one
 * @param conditions {@code Ready} ({@code Succeeded}, "Artifact is ready", as source-watcher writes it)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExternalArtifactStatus(Artifact artifact, List<Condition> conditions) {
}
