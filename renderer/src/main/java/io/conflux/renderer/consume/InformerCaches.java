package io.conflux.renderer.consume;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmRepository;
import io.conflux.renderer.render.WatchedObjects;
import io.conflux.service.Watches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;

/**
 * The informers on the management cluster's Kustomizations, HelmReleases, GitRepositories, HelmRepositories,
 * ArtifactGenerators, ExternalArtifacts and HelmCharts (all
 * namespaces, storage versions), and their caches as the renderer's {@link WatchedObjects}. Created unstarted, so that
 * {@link FluxObjectWatcher} adds its handlers first; {@link #start} starts them.
 */
@ApplicationScoped
public class InformerCaches implements WatchedObjects {
    @Inject
    KubernetesClient client;
    @Inject
    Watches watches;

    private SharedIndexInformer<Kustomization> kustomizations;
    private SharedIndexInformer<HelmRelease> helmReleases;
    private SharedIndexInformer<GitRepository> gitRepositories;
    private SharedIndexInformer<HelmRepository> helmRepositories;
    private SharedIndexInformer<ArtifactGenerator> artifactGenerators;
    private SharedIndexInformer<ExternalArtifact> externalArtifacts;
    private SharedIndexInformer<HelmChart> helmCharts;

    @PostConstruct
    void create() {
        kustomizations = watches.watch(Kustomization.class,
                client.resources(Kustomization.class).inAnyNamespace().runnableInformer(0));
        helmReleases = watches.watch(HelmRelease.class,
                client.resources(HelmRelease.class).inAnyNamespace().runnableInformer(0));
        gitRepositories = watches.watch(GitRepository.class,
                client.resources(GitRepository.class).inAnyNamespace().runnableInformer(0));
        helmRepositories = watches.watch(HelmRepository.class,
                client.resources(HelmRepository.class).inAnyNamespace().runnableInformer(0));
        artifactGenerators = watches.watch(ArtifactGenerator.class,
                client.resources(ArtifactGenerator.class).inAnyNamespace().runnableInformer(0));
        externalArtifacts = watches.watch(ExternalArtifact.class,
                client.resources(ExternalArtifact.class).inAnyNamespace().runnableInformer(0));
        helmCharts = watches.watch(HelmChart.class,
                client.resources(HelmChart.class).inAnyNamespace().runnableInformer(0));
    }

    /** @return the Kustomization informer, unstarted until {@link #start} */
    SharedIndexInformer<Kustomization> kustomizationInformer() {
        return kustomizations;
    }

    /** @return the HelmRelease informer, unstarted until {@link #start} */
    SharedIndexInformer<HelmRelease> helmReleaseInformer() {
        return helmReleases;
    }

    /** @return the GitRepository informer, unstarted until {@link #start} */
    SharedIndexInformer<GitRepository> gitRepositoryInformer() {
        return gitRepositories;
    }

    /** @return the HelmRepository informer, unstarted until {@link #start} */
    SharedIndexInformer<HelmRepository> helmRepositoryInformer() {
        return helmRepositories;
    }

    /** @return the ArtifactGenerator informer, unstarted until {@link #start} */
    SharedIndexInformer<ArtifactGenerator> artifactGeneratorInformer() {
        return artifactGenerators;
    }

    /** @return the HelmChart informer, unstarted until {@link #start} */
    SharedIndexInformer<HelmChart> helmChartInformer() {
        return helmCharts;
    }

    /** @return the ExternalArtifact informer, unstarted until {@link #start} */
    SharedIndexInformer<ExternalArtifact> externalArtifactInformer() {
        return externalArtifacts;
    }

    /** Starts the informers: sources first, so that the objects reading them find them in the cache. */
    void start() {
        gitRepositories.start();
        helmRepositories.start();
        externalArtifacts.start();
        artifactGenerators.start();
        helmCharts.start();
        kustomizations.start();
        helmReleases.start();
    }

    @PreDestroy
    void close() {
        for (SharedIndexInformer<?> informer : List.of(kustomizations, helmReleases, gitRepositories, helmRepositories,
                artifactGenerators, externalArtifacts, helmCharts)) {
            informer.close();
        }
    }

    @Override
    public List<Kustomization> kustomizations() {
        return kustomizations.getStore().list();
    }

    @Override
    public List<HelmRelease> helmReleases() {
        return helmReleases.getStore().list();
    }

    @Override
    public List<GitRepository> gitRepositories() {
        return gitRepositories.getStore().list();
    }

    @Override
    public List<HelmChart> helmCharts() {
        return helmCharts.getStore().list();
    }

    @Override
    public Optional<HelmChart> helmChart(ObjectKey key) {
        return byKey(helmCharts, key.namespace(), key.name());
    }

    @Override
    public List<ArtifactGenerator> artifactGenerators() {
        return artifactGenerators.getStore().list();
    }

    @Override
    public Optional<ArtifactGenerator> artifactGenerator(ObjectKey key) {
        return byKey(artifactGenerators, key.namespace(), key.name());
    }

    @Override
    public Optional<GitRepository> gitRepository(ObjectKey key) {
        if (!GitRepository.KIND.equals(key.kind())) {
            return Optional.empty(); // an OCIRepository or Bucket may share a GitRepository's name
        }
        return byKey(gitRepositories, key.namespace(), key.name());
    }

    @Override
    public Optional<HelmRepository> helmRepository(String namespace, String name) {
        return byKey(helmRepositories, namespace, name);
    }

    @Override
    public Optional<Kustomization> kustomization(ObjectKey key) {
        return byKey(kustomizations, key.namespace(), key.name());
    }

    @Override
    public Optional<HelmRelease> helmRelease(ObjectKey key) {
        return byKey(helmReleases, key.namespace(), key.name());
    }

    private static <T extends HasMetadata> Optional<T> byKey(SharedIndexInformer<T> informer, String namespace, String name) {
        return Optional.ofNullable(informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }
}
