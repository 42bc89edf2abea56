package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.CrossNamespaceObjectReference;

/**
 * {@code ExternalArtifact.spec}, Flux {@code source.toolkit.fluxcd.io/v1}.
 *
 * @param sourceRef Flux's {@code meta.NamespacedObjectKindReference} to the object that produced the artifact, e.g.
 *                  {@code {apiVersion: source.extensions.fluxcd.io/v1beta1, kind: ArtifactGenerator, name, namespace}};
 *                  null when none is named
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExternalArtifactSpec(CrossNamespaceObjectReference sourceRef) {
}
