package io.conflux.model.source;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code ExternalArtifact} ({@code source.toolkit.fluxcd.io/v1}, source-controller's
 * {@code docs/spec/v1/externalartifacts.md}): an artifact produced outside source-controller — by an
 * {@link ArtifactGenerator} in Conflux, as by Flux's source-watcher — which Kustomizations name as {@code sourceRef}.
 * Its {@code spec.sourceRef} names the producer; its status carries the artifact (revision
 * {@code latest@sha256:<hex>}) and {@code Ready}.
 */
@Group(GitRepository.GROUP)
@Version(GitRepository.VERSION)
@Kind(ExternalArtifact.KIND)
@Plural("externalartifacts")
public class ExternalArtifact extends CustomResource<ExternalArtifactSpec, ExternalArtifactStatus> implements Namespaced {
    public static final String KIND = "ExternalArtifact";
}
