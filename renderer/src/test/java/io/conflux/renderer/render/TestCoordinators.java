package io.conflux.renderer.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.topic.RenderResult;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.renderer.produce.RenderResultProducer;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Builds a {@link RenderCoordinator} for {@code @QuarkusTest}s (which share the module's application, its database and
 * {@link BundleStore}) against a test's own API server, Git mirrors and objects; the results it publishes are collected
 * in a list.
 */
final class TestCoordinators {
    private TestCoordinators() {
    }

    /** What the coordinator sees of the cluster: lists and maps a test fills (the informers' caches in the service). */
    static final class Watched implements WatchedObjects {
        final List<Kustomization> kustomizations = new CopyOnWriteArrayList<>();
        final List<HelmRelease> helmReleases = new CopyOnWriteArrayList<>();
        final Map<ObjectKey, GitRepository> gitRepositories = new ConcurrentHashMap<>();
        final Map<String, HelmRepository> helmRepositories = new ConcurrentHashMap<>();

        @Override
        public List<Kustomization> kustomizations() {
            return List.copyOf(kustomizations);
        }

        @Override
        public List<HelmRelease> helmReleases() {
            return List.copyOf(helmReleases);
        }

        @Override
        public Optional<GitRepository> gitRepository(ObjectKey key) {
            return Optional.ofNullable(gitRepositories.get(key));
        }

        @Override
        public Optional<HelmRepository> helmRepository(String namespace, String name) {
            return Optional.ofNullable(helmRepositories.get(namespace + "/" + name));
        }
    }

    /**
     * @param dir         where its mirrors and charts go
     * @param client      the test's API server
     * @param runner      the application's runner
     * @param bundleStore the application's bundle store
     * @param rewrites    the operator's URL rewrites
     * @param watched     the objects it sees
     * @param published   collects what it publishes
     * @return a coordinator
     */
    static RenderCoordinator coordinator(Path dir, KubernetesClient client, ReactiveRunner runner, BundleStore bundleStore,
                                         Map<String, String> rewrites, Watched watched, List<RenderResult> published) {
        ClusterData data = new ClusterData();
        data.client = client;
        RenderResultProducer producer = new RenderResultProducer() {
            @Override
            public Uni<Void> send(RenderResult result) {
                published.add(result);
                return Uni.createFrom().voidItem();
            }
        };
        return RendererAssembly.coordinator(TestRendererConfig.of(dir.resolve("mirrors"), dir.resolve("charts"), rewrites),
                new ObjectMapper(), client, data, bundleStore, producer, runner, watched);
    }

    /** @return the revision of the artifact stored for {@code source}, which its objects render, if one is stored */
    static Optional<String> storedRevision(ReactiveRunner runner, ObjectKey source) {
        SourceArtifact stored = runner.run(blocking -> Panache.withSession(() -> SourceArtifact.last(source.namespace(), source.name())))
                .await().atMost(Duration.ofSeconds(60));
        return Optional.ofNullable(stored).map(a -> a.revision);
    }
}
