package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Monotonic revisions (#12): for one generation of a Kustomization, the renderer never publishes an older source
 * artifact after a newer one. Before, a render read the revision outside the object's serialized job from the
 * replica's memory, so a spec edit handled by a replica that had not seen the new revision published (gen N, r2) then
 * (gen N, r1). Now a render reads the latest stored artifact inside the job, and the render records refuse a lower
 * source sequence number for a generation.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class MonotonicRevisionTest {
    private static final String NS = "monotonic";
    private static final ObjectKey SOURCE = new ObjectKey(GitRepository.KIND, NS, "apps");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Path tmp;
    private InMemoryKubernetes kube;
    private KubernetesClient client;
    @Inject
    ReactiveRunner runner;
    @Inject
    BundleStore bundleStore;
    @Inject
    Outbox outbox;
    private TestCoordinators.Published published;
    private final TestCoordinators.Watched watched = new TestCoordinators.Watched();
    private final List<Kustomization> kustomizations = watched.kustomizations;
    private final Map<ObjectKey, GitRepository> repositories = watched.gitRepositories;
    private final List<RenderCoordinator> coordinators = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-monotonic");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        TestCoordinators.forgetNamespace(runner, NS);
    }

    @AfterEach
    void stop() throws Exception {
        coordinators.forEach(RenderCoordinator::close);
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    @Test
    void aSpecEditRacingANewRevisionNeverPublishesTheOlderRevisionLast() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("repos/acme/apps"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n");
        String r1 = "main@sha1:" + TestRepositories.commit(work, "main");
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            createGitRepository(url);
            RenderCoordinator x = coordinator(tmp.resolve("x"));
            RenderCoordinator y = coordinator(tmp.resolve("y"));
            kustomizations.add(kustomization(1));
            receiverStored(r1, url);
            await(x.onSourceRevision(revision(url, r1)));
            await(y.onSourceRevision(revision(url, r1)));

            Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app2\n");
            String r2 = "main@sha1:" + TestRepositories.commit(work, "main");
            receiverStored(r2, url);
            kustomizations.clear();
            kustomizations.add(kustomization(2));
            await(x.onSourceRevision(revision(url, r2)));
            await(y.onKustomizationChanged(kustomization(2)));

            // two replicas: x handles the new revision, y the spec edit with only r1 in its past
            assertThat(published.list().stream().filter(r -> r.generation() == 2).map(RenderResult::sourceRevision))
                    .containsExactly(r2);
            List<Long> sequences = published.list().stream().map(RenderResult::sourceSequence).toList();
            assertThat(sequences).doesNotContainNull().isSorted();
            assertThat(sequences.get(sequences.size() - 1)).isGreaterThan(sequences.get(0));
        }
    }

    /** The render records refuse, for one generation, a lower source sequence number than one recorded. */
    @Test
    void aLowerSourceSequenceThanOneRecordedForTheGenerationIsNeverRendered() {
        RenderRecorder recorder = new RenderRecorder(bundleStore, outbox);
        String key = "Kustomization/" + NS + "/sequence-" + System.nanoTime();
        RenderInput newer = new RenderInput(key, 3, "main@sha1:" + "b".repeat(40), 41L, "", "", "");
        RenderInput older = new RenderInput(key, 3, "main@sha1:" + "a".repeat(40), 40L, "", "", "");
        RenderInput nextGeneration = new RenderInput(key, 4, "main@sha1:" + "a".repeat(40), 40L, "", "", "");
        assertThat(runner.run(blocking -> recorder.needless(older)).await().atMost(WAIT)).isEmpty();
        await(runner.run(blocking -> recorder.record(newer, RenderOutcome.failed("BuildFailed", "kustomization.yaml: bad"))));

        assertThat(runner.run(blocking -> recorder.needless(older)).await().atMost(WAIT)).get().asString()
                .contains("sequence 41");
        assertThat(runner.run(blocking -> recorder.needless(newer)).await().atMost(WAIT)).contains("already rendered");
        assertThat(runner.run(blocking -> recorder.needless(nextGeneration)).await().atMost(WAIT)).isEmpty();
        assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.sourceSequence()).isEqualTo(41L));
    }

    private RenderCoordinator coordinator(Path dir) {
        RenderCoordinator c = TestCoordinators.coordinator(dir, client, runner, bundleStore, outbox, Map.of(), watched);
        coordinators.add(c);
        return c;
    }

    private void createGitRepository(String url) {
        client.resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("git-auth").endMetadata()
                .withStringData(Map.of("username", "git", "password", "s3cret")).build()).create();
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("apps").build());
        repo.setSpec(new GitRepositorySpec(url, GitRepositoryRef.branch("main"), "1m", null,
                new LocalObjectReference("git-auth"), null, null, null));
        repositories.put(SOURCE, client.resource(repo).create());
    }

    /** What the receiver writes after ls-remote: {@code Ready=Unknown} {@code Progressing}, never the artifact. */
    private void receiverStored(String revision, String url) {
        TestCoordinators.patchStatus(client, NS, "apps", Map.of("conditions", List.of(new io.conflux.model.meta.Condition(
                "Ready", "Unknown", 1L, Conditions.now(), "Progressing",
                "building artifact: new upstream revision '" + revision + "'"))));
    }

    private static SourceRevision revision(String url, String revision) {
        return new SourceRevision(SOURCE.toString(), 1L, url, GitRepositoryRef.branch("main"), revision, Trigger.POLL,
                null, null);
    }

    private static Kustomization kustomization(long generation) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: monotonic
                  generation: %d
                spec:
                  interval: 10m
                  path: ./
                  prune: true
                  sourceRef:
                    kind: GitRepository
                    name: apps
                """.formatted(generation), Kustomization.class);
    }

    private static void await(Uni<Void> uni) {
        uni.await().atMost(WAIT);
    }
}
