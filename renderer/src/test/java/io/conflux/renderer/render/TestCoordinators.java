package io.conflux.renderer.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.topic.RenderResult;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.RenderRecord;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.model.topic.Topics;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.Outbox;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Requeue;
import io.conflux.service.SecretReader;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.hibernate.reactive.panache.Panache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Builds a {@link RenderCoordinator} for {@code @QuarkusTest}s (which share the module's application, its database,
 * {@link BundleStore} and {@link Outbox}) against a test's own API server, Git mirrors and objects; what it publishes is
 * read back from the outbox table ({@link Published}).
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
        final List<ArtifactGenerator> artifactGenerators = new CopyOnWriteArrayList<>();

        @Override
        public List<ArtifactGenerator> artifactGenerators() {
            return List.copyOf(artifactGenerators);
        }

        @Override
        public List<Kustomization> kustomizations() {
            return List.copyOf(kustomizations);
        }

        @Override
        public List<HelmRelease> helmReleases() {
            return List.copyOf(helmReleases);
        }

        @Override
        public List<GitRepository> gitRepositories() {
            return List.copyOf(gitRepositories.values());
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
     * @param outbox      the application's outbox
     * @param watched     the objects it sees
     * @return a coordinator
     */
    static RenderCoordinator coordinator(Path dir, KubernetesClient client, ReactiveRunner runner, BundleStore bundleStore,
                                         Outbox outbox, Map<String, String> rewrites, Watched watched) {
        Requeue requeue = new Requeue();
        return coordinator(dir, client, runner, bundleStore, outbox, rewrites, watched, requeue, Ownership.everything(),
                requeue);
    }

    /**
     * As {@link #coordinator(Path, KubernetesClient, ReactiveRunner, BundleStore, Outbox, Map, Watched)}, with the
     * test's own timers (closed by the test) and ownership.
     */
    static RenderCoordinator coordinator(Path dir, KubernetesClient client, ReactiveRunner runner, BundleStore bundleStore,
                                         Outbox outbox, Map<String, String> rewrites, Watched watched, Requeue requeue,
                                         Ownership ownership) {
        return coordinator(dir, client, runner, bundleStore, outbox, rewrites, watched, requeue, ownership, () -> { });
    }

    /**
     * As {@link #coordinator(Path, KubernetesClient, ReactiveRunner, BundleStore, Outbox, Map, Watched, Requeue,
     * Ownership)}, owning everything, with {@code conflux.renderer.requeue-dependency} set to {@code requeueDependency}.
     */
    static RenderCoordinator coordinator(Path dir, KubernetesClient client, ReactiveRunner runner, BundleStore bundleStore,
                                         Outbox outbox, Map<String, String> rewrites, Watched watched, Requeue requeue,
                                         Duration requeueDependency) {
        return coordinator(client, runner, bundleStore, outbox, TestRendererConfig.of(dir.resolve("mirrors"),
                dir.resolve("charts"), rewrites, requeueDependency), watched, requeue, Ownership.everything(), () -> { });
    }

    private static RenderCoordinator coordinator(Path dir, KubernetesClient client, ReactiveRunner runner,
                                                 BundleStore bundleStore, Outbox outbox, Map<String, String> rewrites,
                                                 Watched watched, Requeue requeue, Ownership ownership,
                                                 AutoCloseable more) {
        return coordinator(client, runner, bundleStore, outbox,
                TestRendererConfig.of(dir.resolve("mirrors"), dir.resolve("charts"), rewrites), watched, requeue,
                ownership, more);
    }

    private static RenderCoordinator coordinator(KubernetesClient client, ReactiveRunner runner,
                                                 BundleStore bundleStore, Outbox outbox, RendererConfig config,
                                                 Watched watched, Requeue requeue, Ownership ownership,
                                                 AutoCloseable more) {
        RendererAssembly.Parts parts = new RendererAssembly.Parts(new SecretReader(client), statusPatcher(client),
                bundleStore, outbox, runner, requeue, ownership, new KeyedSerialQueue(Duration.ofMinutes(5), 100));
        return RendererAssembly.coordinator(config, new ObjectMapper(), client, parts, watched, more);
    }

    /** @return a status patcher of {@code client} retrying briefly */
    static StatusPatcher statusPatcher(KubernetesClient client) {
        return new StatusPatcher(client, Duration.ofMillis(50), Duration.ofMillis(200), 3);
    }

    /** Merge-patches the status of GitRepository {@code namespace/name} (what the receiver or another replica writes). */
    static void patchStatus(KubernetesClient client, String namespace, String name, Map<String, Object> status) {
        statusPatcher(client).patch(new ObjectKey(GitRepository.KIND, namespace, name), status);
    }

    /**
     * The {@code conflux.render-results} records added to the outbox since this was created or last {@link #clear}ed,
     * oldest first: what the relay publishes (module tests have no broker, so the rows stay).
     */
    static final class Published {
        private final ReactiveRunner runner;
        private final ObjectMapper json = new ObjectMapper();
        private long after;

        /** @param runner the application's runner */
        Published(ReactiveRunner runner) {
            this.runner = runner;
            clear();
        }

        /** @return the records added since the last {@link #clear} */
        List<RenderResult> list() {
            List<Object> values = runner.run(blocking -> Panache.withSession(() -> Panache.getSession().chain(s -> s
                            .createNativeQuery("SELECT value FROM renderer_outbox WHERE topic = ?1 AND id > ?2 ORDER BY id")
                            .setParameter(1, Topics.RENDER_RESULTS)
                            .setParameter(2, after)
                            .getResultList())))
                    .await().atMost(Duration.ofSeconds(60));
            return values.stream().map(v -> {
                try {
                    return json.readValue(String.valueOf(v), RenderResult.class);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }

        /** Forgets the records added so far. */
        void clear() {
            Object max = runner.run(blocking -> Panache.withSession(() -> Panache.getSession().chain(s -> s
                            .createNativeQuery("SELECT coalesce(max(id), 0) FROM renderer_outbox").getSingleResult())))
                    .await().atMost(Duration.ofSeconds(60));
            after = ((Number) max).longValue();
        }
    }

    /** @return the revision of the artifact stored for {@code source}, which its objects render, if one is stored */
    static Optional<String> storedRevision(ReactiveRunner runner, ObjectKey source) {
        SourceArtifact stored = runner.run(blocking -> Panache.withSession(() -> SourceArtifact.last(source)))
                .await().atMost(Duration.ofSeconds(60));
        return Optional.ofNullable(stored).map(a -> a.revision);
    }

    /**
     * Forgets what earlier tests stored for the objects of {@code namespace}: their source artifacts and render records.
     * Two tests committing the same tree within one second get the same commit sha, so without this a render recorded
     * by an earlier test would count as already settled and the later test would see nothing published.
     */
    static void forgetNamespace(ReactiveRunner runner, String namespace) {
        runner.run(blocking -> Panache.withTransaction(() -> SourceArtifact.delete("namespace", namespace)
                        .chain(() -> RenderRecord.delete("objectKey like ?1", "%/" + namespace + "/%"))))
                .await().atMost(Duration.ofSeconds(60));
    }

    /** Deletes {@code dir} and everything under it, deepest first (a test's temporary tree); absent files are skipped. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
