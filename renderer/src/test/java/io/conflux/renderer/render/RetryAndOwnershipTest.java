package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.consume.SourceRevisionConsumer;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.service.Outbox;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Requeue;
import io.conflux.service.Retrying;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * #12's defects of the renderer's loop, one test each: a transient database failure while handling a source revision
 * is retried, not dead-lettered; a render that fails outright is still followed by the next one (its timer); only the
 * owner of an object renders it, a rebalance resumes newly owned objects and stops the timers of the others.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class RetryAndOwnershipTest {
    private static final String NS = "retries";
    private static final ObjectKey SOURCE = new ObjectKey(GitRepository.KIND, NS, "apps");
    private static final String KUSTOMIZATION = "Kustomization/" + NS + "/apps";
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
    /** The coordinator's timers; remembers what was scheduled, so that a resumed render is seen before it runs. */
    private final List<String> scheduled = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Requeue requeue = new Requeue() {
        @Override
        public void schedule(String key, Duration delay, java.util.function.Supplier<Uni<Duration>> run, Duration afterFailure) {
            scheduled.add(key + " in " + delay);
            super.schedule(key, delay, run, afterFailure);
        }
    };
    private RenderCoordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-retries");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        sql("DELETE FROM source_artifact WHERE namespace = '" + NS + "'");
        sql("DELETE FROM render_record WHERE object_key = '" + KUSTOMIZATION + "'");
    }

    @AfterEach
    void stop() throws Exception {
        if (coordinator != null) {
            coordinator.close();
        }
        requeue.close();
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    /**
     * PostgreSQL fails twice with a serialization failure (SQLSTATE 40001, transient) while the revision's artifact is
     * stored: the handler retries with backoff and completes, the artifact is stored and the Kustomization rendered.
     * Before, the handler failed and the record went to the dead-letter queue.
     */
    @Test
    void aTransientDatabaseFailureIsRetriedNotDeadLettered() throws Exception {
        coordinator = coordinator(Ownership.everything());
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            String r1 = repository(url);
            watched.kustomizations.add(kustomization("1m"));
            sql("DROP SEQUENCE IF EXISTS conflux_test_failures");
            sql("CREATE SEQUENCE conflux_test_failures");
            sql("CREATE OR REPLACE FUNCTION conflux_test_transient() RETURNS trigger AS $$ BEGIN"
                    + " IF nextval('conflux_test_failures') <= 2 THEN"
                    + " RAISE EXCEPTION 'could not serialize access (test)' USING ERRCODE = '40001'; END IF;"
                    + " RETURN NEW; END $$ LANGUAGE plpgsql");
            sql("CREATE TRIGGER conflux_test_transient BEFORE INSERT OR UPDATE ON source_artifact"
                    + " FOR EACH ROW EXECUTE FUNCTION conflux_test_transient()");
            try {
                SourceRevisionConsumer consumer = new SourceRevisionConsumer(coordinator,
                        new Retrying(Duration.ofMillis(20), Duration.ofMillis(100)), Ownership.everything());
                consumer.onSourceRevision(revision(url, r1)).await().atMost(WAIT);
            } finally {
                sql("DROP TRIGGER IF EXISTS conflux_test_transient ON source_artifact");
            }
            assertThat(TestCoordinators.storedRevision(runner, SOURCE)).contains(r1);
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.sourceRevision()).isEqualTo(r1));
        }
    }

    /** A poison failure is not retried: it fails the message (→ the channel's dead-letter queue). */
    @Test
    void aPoisonFailureIsNotRetried() throws Exception {
        coordinator = coordinator(Ownership.everything());
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            String r1 = repository(url);
            sql("CREATE OR REPLACE FUNCTION conflux_test_poison() RETURNS trigger AS $$"
                    + " BEGIN RAISE EXCEPTION 'poison (test)'; END $$ LANGUAGE plpgsql");
            sql("CREATE TRIGGER conflux_test_poison BEFORE INSERT OR UPDATE ON source_artifact"
                    + " FOR EACH ROW EXECUTE FUNCTION conflux_test_poison()");
            try {
                SourceRevisionConsumer consumer = new SourceRevisionConsumer(coordinator,
                        new Retrying(Duration.ofMillis(20), Duration.ofMillis(100)), Ownership.everything());
                assertThatThrownBy(() -> consumer.onSourceRevision(revision(url, r1)).await().atMost(WAIT))
                        .hasStackTraceContaining("poison (test)");
            } finally {
                sql("DROP TRIGGER IF EXISTS conflux_test_poison ON source_artifact");
            }
        }
    }

    /**
     * A render that fails outright (its result cannot be written) still arms the object's timer, at its
     * retryInterval; a successful one at its interval. Before, the next render was scheduled on the success path only,
     * and a failed render was never retried.
     */
    @Test
    void theNextRenderIsScheduledAfterAnyOutcome() throws Exception {
        withStoredFirstRevision(r1 -> {
            watched.kustomizations.add(kustomization("2m"));
            sql("CREATE OR REPLACE FUNCTION conflux_test_refuse_outbox() RETURNS trigger AS $$"
                    + " BEGIN RAISE EXCEPTION 'renderer_outbox refused by the test'; END $$ LANGUAGE plpgsql");
            sql("CREATE TRIGGER conflux_test_refuse_outbox BEFORE INSERT ON renderer_outbox"
                    + " FOR EACH ROW EXECUTE FUNCTION conflux_test_refuse_outbox()");
            Instant failedAt = Instant.now();
            try {
                assertThatThrownBy(() -> await(coordinator.onKustomizationChanged(kustomization("2m"))))
                        .hasStackTraceContaining("renderer_outbox refused by the test");
            } finally {
                sql("DROP TRIGGER IF EXISTS conflux_test_refuse_outbox ON renderer_outbox");
            }
            assertThat(requeue.next(KUSTOMIZATION)).as("timer after a failed render").get()
                    .satisfies(due -> assertThat(due).isBetween(failedAt.plus(Duration.ofMinutes(2)),
                            Instant.now().plus(Duration.ofMinutes(2))));

            Instant renderedAt = Instant.now();
            await(coordinator.onKustomizationChanged(kustomization("2m")));
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.sourceRevision()).isEqualTo(r1));
            assertThat(requeue.next(KUSTOMIZATION)).as("timer after a render").get()
                    .satisfies(due -> assertThat(due).isBetween(renderedAt.plus(Duration.ofMinutes(10)),
                            Instant.now().plus(Duration.ofMinutes(10))));
        });
    }

    /**
     * Only the owner renders: an object whose partition is not assigned to this replica is not rendered when its source
     * moves; assigning its partition resumes it (its render is scheduled at once); revoking it stops its timer.
     */
    @Test
    void onlyTheOwnerRendersAndARebalanceResumesOrStops() throws Exception {
        Ownership ownership = Ownership.byPartitions();
        coordinator = coordinator(ownership);
        int partitions = 6;
        int mine = Ownership.partitionOf(KUSTOMIZATION, partitions);
        ownership.assigned(List.of((mine + 1) % partitions), partitions);
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            String r1 = repository(url);
            watched.kustomizations.add(kustomization("1m"));
            await(coordinator.onSourceRevision(revision(url, r1)));
            await(coordinator.onSourceStored(client.resources(GitRepository.class).inNamespace(NS).withName("apps").get()));
            await(coordinator.onKustomizationChanged(kustomization("1m")));
            assertThat(published.list()).as("rendered by a replica that does not own it").isEmpty();
            assertThat(requeue.next(KUSTOMIZATION)).isEmpty();

            assertThat(scheduled).isEmpty();
            ownership.assigned(List.of(mine), partitions);
            assertThat(scheduled).as("resumed when its partition is assigned").containsExactly(KUSTOMIZATION + " in PT0S");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (published.list().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(published.list()).as("rendered once resumed").singleElement()
                    .satisfies(r -> assertThat(r.sourceRevision()).isEqualTo(r1));

            ownership.revoked(List.of(mine));
            assertThat(requeue.next(KUSTOMIZATION)).as("timer stopped when its partition is revoked").isEmpty();
        }
    }

    /**
     * A render that ends after the renderer began to stop is not published: cut short ({@code renderer stopping}), it
     * says nothing about the object, which its next owner renders; published, it would set the object not Ready.
     */
    @Test
    void aRenderEndingAfterTheStopIsNotPublished() throws Exception {
        withStoredFirstRevision(r1 -> {
            watched.kustomizations.add(kustomization("1m"));
            coordinator.close();
            await(coordinator.onKustomizationChanged(kustomization("1m")));
            assertThat(published.list()).isEmpty();
        });
    }

    /**
     * Runs {@code steps} with a coordinator owning everything, repository {@code acme/apps} served over HTTP and its
     * first revision fetched and stored; the Kustomization is not watched yet.
     */
    private void withStoredFirstRevision(StoredRevisionSteps steps) throws Exception {
        coordinator = coordinator(Ownership.everything());
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            String r1 = repository(url);
            await(coordinator.onSourceRevision(revision(url, r1)));
            steps.run(r1);
        }
    }

    /** A test's steps once {@link #withStoredFirstRevision} set the scene. */
    private interface StoredRevisionSteps {
        void run(String revision) throws Exception;
    }

    private RenderCoordinator coordinator(Ownership ownership) {
        return TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox, Map.of(), watched, requeue, ownership);
    }

    /** Creates repository acme/apps with one commit and GitRepository {@code apps} of it; @return the revision */
    private String repository(String url) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("repos/acme/apps"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n");
        String revision = "main@sha1:" + TestRepositories.commit(work, "main");
        client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("git-auth").endMetadata()
                .withStringData(Map.of("username", "git", "password", "s3cret")).build()).create();
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("apps").build());
        repo.setSpec(new GitRepositorySpec(url, GitRepositoryRef.branch("main"), "1m", null,
                new LocalObjectReference("git-auth"), null, null, null));
        watched.gitRepositories.put(SOURCE, client.resource(repo).create());
        // what the receiver writes after ls-remote: Progressing, never the artifact (the renderer writes it once stored)
        TestCoordinators.patchStatus(client, NS, "apps", Map.of("conditions", List.of(new io.conflux.model.meta.Condition(
                "Ready", "Unknown", 1L, Conditions.now(), "Progressing",
                "building artifact: new upstream revision '" + revision + "'"))));
        return revision;
    }

    private static SourceRevision revision(String url, String revision) {
        return new SourceRevision(SOURCE.toString(), 1L, url, GitRepositoryRef.branch("main"), revision, Trigger.POLL,
                null, null);
    }

    private static Kustomization kustomization(String retryInterval) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: retries
                  generation: 1
                spec:
                  interval: 10m
                  retryInterval: %s
                  path: ./
                  prune: true
                  sourceRef:
                    kind: GitRepository
                    name: apps
                """.formatted(retryInterval), Kustomization.class);
    }

    private void sql(String statement) {
        runner.run(blocking -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(statement).executeUpdate()))).await().atMost(WAIT);
    }

    private static void await(Uni<Void> uni) {
        uni.await().atMost(WAIT);
    }
}
