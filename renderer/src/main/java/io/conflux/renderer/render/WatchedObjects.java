package io.conflux.renderer.render;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmRepository;
import java.util.List;
import java.util.Optional;

/**
 * The Flux objects the renderer sees on the management cluster (the informers' caches in the service, lists in tests).
 * Read on any thread, including the event loop: an implementation never calls the API server.
 */
public interface WatchedObjects {
    /** @return every Kustomization */
    List<Kustomization> kustomizations();

    /** @return every HelmRelease */
    List<HelmRelease> helmReleases();

    /** @return every GitRepository */
    List<GitRepository> gitRepositories();

    /** @return the GitRepository of {@code key} ({@code GitRepository/<namespace>/<name>}), if it exists */
    Optional<GitRepository> gitRepository(ObjectKey key);

    /** @return HelmRepository {@code namespace/name}, if it exists */
    Optional<HelmRepository> helmRepository(String namespace, String name);

    /** @return the Kustomization of {@code key}, if it exists */
    default Optional<Kustomization> kustomization(ObjectKey key) {
        return kustomizations().stream().filter(k -> key.equals(FluxMetadata.objectKey(k))).findFirst();
    }

    /** @return the HelmRelease of {@code key}, if it exists */
    default Optional<HelmRelease> helmRelease(ObjectKey key) {
        return helmReleases().stream().filter(hr -> key.equals(FluxMetadata.objectKey(hr))).findFirst();
    }

    /** @return every HelmChart (none where they are not watched) */
    default List<HelmChart> helmCharts() {
        return List.of();
    }

    /** @return the HelmChart of {@code key}, if it exists */
    default Optional<HelmChart> helmChart(ObjectKey key) {
        return helmCharts().stream().filter(c -> key.equals(FluxMetadata.objectKey(c))).findFirst();
    }

    /** @return every ArtifactGenerator (none where they are not watched) */
    default List<ArtifactGenerator> artifactGenerators() {
        return List.of();
    }

    /** @return the ArtifactGenerator of {@code key}, if it exists */
    default Optional<ArtifactGenerator> artifactGenerator(ObjectKey key) {
        return artifactGenerators().stream().filter(g -> key.equals(FluxMetadata.objectKey(g))).findFirst();
    }
}
