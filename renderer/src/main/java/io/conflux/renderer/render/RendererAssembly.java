package io.conflux.renderer.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitMirror;
import io.conflux.git.GitUrlRewriter;
import io.conflux.git.KustomizeRemoteFetcher;
import io.conflux.git.SourceTree;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.GeneratedArtifact;
import io.conflux.renderer.source.GeneratedArtifacts;
import io.quarkus.hibernate.reactive.panache.Panache;
import java.util.Optional;
import io.conflux.renderer.source.GitArtifacts;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.KubeconfigClients;
import io.conflux.service.KubeconfigSecrets;
import io.conflux.service.Outbox;
import io.conflux.service.Ownership;
import io.conflux.service.PipelineMetrics;
import io.conflux.service.Tracing;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Requeue;
import io.conflux.service.SecretReader;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.function.BiFunction;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Puts the renderer's parts together: the {@link RenderCoordinator} of the service (a CDI producer, over the
 * informers' caches and service-common's plumbing) and of tests ({@link #coordinator}).
 */
@ApplicationScoped
public class RendererAssembly {
    /** {@code conflux.queue.job-timeout}: a render or fetch running longer fails and frees its key. */
    @ConfigProperty(name = "conflux.queue.job-timeout")
    Duration jobTimeout;
    /** {@code conflux.queue.max-waiting-per-key}: jobs that may wait behind the running one of a key. */
    @ConfigProperty(name = "conflux.queue.max-waiting-per-key")
    int maxWaitingPerKey;
    @Inject
    RendererConfig config;
    @Inject
    ObjectMapper json;
    @Inject
    KubernetesClient client;
    @Inject
    SecretReader secrets;
    @Inject
    StatusPatcher status;
    @Inject
    BundleStore bundleStore;
    @Inject
    Outbox outbox;
    @Inject
    ReactiveRunner runner;
    @Inject
    WatchedObjects watched;
    @Inject
    Requeue requeue;
    @Inject
    Ownership ownership;
    @Inject
    PipelineMetrics metrics;
    @Inject
    Tracing tracing;

    /** @return the service's configuration, from its two mappings */
    @Produces
    @Singleton
    static RendererConfig rendererConfig(RendererConfig.Renderer renderer, RendererConfig.Git git) {
        return new RendererConfig() {
            @Override
            public Renderer renderer() {
                return renderer;
            }

            @Override
            public Git git() {
                return git;
            }
        };
    }

    /** The service's coordinator. */
    @Produces
    @Singleton
    RenderCoordinator produce() {
        RenderCoordinator coordinator = coordinator(config, json, client, new Parts(secrets, status, bundleStore, outbox,
                runner, requeue, ownership, new KeyedSerialQueue(jobTimeout, maxWaitingPerKey)), watched, () -> { });
        coordinator.metrics(metrics);
        coordinator.tracing(tracing);
        return coordinator;
    }

    void dispose(@Disposes RenderCoordinator coordinator) {
        coordinator.close();
    }

    /**
     * The plumbing a coordinator uses (service-common's in the service; built by hand in tests).
     *
     * @param secrets     Secret and ConfigMap data (credentials, variables, values)
     * @param status      writes GitRepository status
     * @param bundleStore stores bundles
     * @param outbox      the outbox render results go through
     * @param runner      runs pipelines on safe Vert.x contexts
     * @param requeue     the timers
     * @param ownership   which objects this replica renders
     * @param queue       serializes the jobs of a key
     */
    public record Parts(SecretReader secrets, StatusPatcher status, BundleStore bundleStore, Outbox outbox,
                        ReactiveRunner runner, Requeue requeue, Ownership ownership, KeyedSerialQueue queue) {
    }

    /**
     * @param config  mirrors and charts directories, timeouts, build bounds, cross-namespace lockdown, URL rewrites
     * @param json    serializes bundles
     * @param client  the management cluster (GitRepositories read)
     * @param parts   the plumbing
     * @param watched the Flux objects on the cluster
     * @param more    closed with the coordinator, after its build threads
     * @return a coordinator, to be closed
     */
    public static RenderCoordinator coordinator(RendererConfig config, ObjectMapper json, KubernetesClient client,
                                                Parts parts, WatchedObjects watched, AutoCloseable more) {
        GitMirror mirror = new GitMirror(config.renderer().mirrorsDir(), new GitUrlRewriter(config.git().urlRewrites()),
                config.renderer().gitTimeout(), config.git().maxFetchSize().asLongValue());
        CrossNamespaceRefs crossNamespaceRefs = new CrossNamespaceRefs(config.renderer().noCrossNamespaceRefs());
        BoundedBuild builds = new BoundedBuild(config.renderer().buildWorkers(), config.renderer().buildQueue());
        BiFunction<String, String, Map<String, String>> secretData = (ns, name) -> parts.secrets().secretData(ns, name).orElse(null);
        BiFunction<String, String, Map<String, String>> configMaps = (ns, name) -> parts.secrets().configMapData(ns, name).orElse(null);
        ArtifactFetcher artifactSources = new ArtifactFetcher(client, parts.status(), parts.secrets(),
                config.git().maxFetchSize().asLongValue());
        SourceFetcher fetcher = new SourceFetcher(mirror, new GitArtifacts(client, parts.status()), watched::gitRepository,
                secretData, artifactSources);
        KustomizationRenderer kustomizationRenderer = new KustomizationRenderer(mirror, json,
                config.renderer().strictPostBuildSubstitutions(), config.renderer().kustomizeRemoteBases()
                        ? new KustomizeRemoteFetcher(new GitUrlRewriter(config.git().urlRewrites()),
                                config.renderer().gitTimeout(), config.git().maxFetchSize().asLongValue(), false)
                        : null);
        ExternalArtifactRendering externalArtifacts = new ExternalArtifactRendering(kustomizationRenderer, builds,
                key -> Optional.ofNullable(parts.runner().run(blocking -> Panache.withSession(() ->
                        GeneratedArtifact.of(key.namespace(), key.name()))).await().atMost(config.renderer().gitTimeout())),
                secretData, configMaps);
        KustomizationRendering kustomizations = new KustomizationRendering(kustomizationRenderer, builds,
                crossNamespaceRefs, watched::gitRepository, secretData, configMaps, externalArtifacts);
        ArtifactGenerators generators = new ArtifactGenerators(new SourceTree(mirror), watched::gitRepository, secretData,
                new GeneratedArtifacts(client, parts.status()), watched, crossNamespaceRefs, parts.runner(), parts.queue(),
                parts.ownership());
        HelmReleaseRenderer helmReleaseRenderer = new HelmReleaseRenderer(config.renderer().chartsDir(),
                config.renderer().helmTimeout(), json, config.renderer().helmPreparedCharts());
        HelmCharts helmCharts = new HelmCharts(helmReleaseRenderer, new SourceTree(mirror), watched::gitRepository,
                watched::helmRepository, secretData, parts.status(), parts.runner(), parts.queue(), parts.requeue(),
                parts.ownership(), watched::helmChart);
        TargetCapabilities targetCapabilities = new TargetCapabilities(
                new ClusterCapabilities(client, config.renderer().discoveryCache()),
                new KubeconfigClients(client,
                        new KubeconfigSecrets(parts.secrets(), config.renderer().insecureKubeconfigExec(), "renderer")),
                config.renderer().defaultServiceAccount(), config.renderer().discoveryCache());
        HelmReleaseRendering helmReleases = new HelmReleaseRendering(helmReleaseRenderer,
                new SourceTree(mirror), crossNamespaceRefs, watched::gitRepository, watched::helmRepository,
                secretData, configMaps, watched::helmChart,
                targetCapabilities);
        return new RenderCoordinator(fetcher, kustomizations, helmReleases,
                new RenderRecorder(parts.bundleStore(), parts.outbox()), parts.runner(), watched, parts.queue(),
                parts.requeue(), parts.ownership(), () -> {
                    builds.close();
                    targetCapabilities.close();
                    more.close();
                }, generators, helmCharts, new SourceWaiters(config.renderer().requeueDependency()));
    }
}
