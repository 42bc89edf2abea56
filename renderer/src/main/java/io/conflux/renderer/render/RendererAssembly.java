package io.conflux.renderer.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitMirror;
import io.conflux.git.GitUrlRewriter;
import io.conflux.git.SourceTree;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.source.GitArtifacts;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Puts the renderer's parts together: the {@link RenderCoordinator} of the service (a CDI producer) and of tests
 * ({@link #coordinator}).
 */
@ApplicationScoped
public class RendererAssembly {

    /** The service's coordinator, over the informers' caches. */
    @Produces
    @Singleton
    RenderCoordinator produce(RendererConfig config, ObjectMapper json, KubernetesClient client, ClusterData data,
                              BundleStore bundleStore, Outbox outbox, ReactiveRunner runner,
                              WatchedObjects watched) {
        return coordinator(config, json, client, data, bundleStore, outbox, runner, watched);
    }

    void dispose(@Disposes RenderCoordinator coordinator) {
        coordinator.close();
    }

    /**
     * @param config      mirrors and charts directories, timeouts, build bounds, cross-namespace lockdown, URL rewrites
     * @param json        serializes status patches and bundles
     * @param client      the management cluster (GitRepository status)
     * @param data        Secret and ConfigMap data (credentials, variables, values)
     * @param bundleStore stores bundles
     * @param outbox      the outbox render results go through
     * @param runner      runs pipelines on safe Vert.x contexts
     * @param watched     the Flux objects on the cluster
     * @return a coordinator, to be closed
     */
    public static RenderCoordinator coordinator(RendererConfig config, ObjectMapper json, KubernetesClient client,
                                                ClusterData data, BundleStore bundleStore, Outbox outbox,
                                                ReactiveRunner runner, WatchedObjects watched) {
        GitMirror mirror = new GitMirror(config.renderer().mirrorsDir(), new GitUrlRewriter(config.git().urlRewrites()),
                config.renderer().gitTimeout(), config.git().maxFetchSize().asLongValue());
        CrossNamespaceRefs crossNamespaceRefs = new CrossNamespaceRefs(config.renderer().noCrossNamespaceRefs());
        BoundedBuild builds = new BoundedBuild(config.renderer().buildWorkers(), config.renderer().buildQueue());
        SourceFetcher fetcher = new SourceFetcher(mirror, new GitArtifacts(client, json), watched::gitRepository, data::data);
        KustomizationRendering kustomizations = new KustomizationRendering(new KustomizationRenderer(mirror, json), builds,
                crossNamespaceRefs, watched::gitRepository, data::data, data::configMapData);
        HelmReleaseRendering helmReleases = new HelmReleaseRendering(
                new HelmReleaseRenderer(config.renderer().chartsDir(), config.renderer().helmTimeout(), json),
                new SourceTree(mirror), crossNamespaceRefs, watched::gitRepository, watched::helmRepository,
                data::data, data::configMapData);
        return new RenderCoordinator(fetcher, kustomizations, helmReleases, new RenderRecorder(bundleStore, outbox),
                runner, watched, builds::close);
    }
}
