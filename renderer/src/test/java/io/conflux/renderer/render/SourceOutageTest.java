package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.Authorizer;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Artifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flux's source-controller keeps serving the last good artifact when a repository cannot be fetched: the renderer's
 * fetch failing after the receiver's ls-remote succeeded turns the GitRepository {@code Ready=False}
 * ({@code GitOperationFailed}) with its last fetched artifact, and leaves its Kustomizations alone. The last fetched
 * artifact is stored in PostgreSQL (as source-controller stores its artifacts), so a restarted renderer serves it too.
 * And the renderer only renders what the tracked ref points at: a record naming another commit is refused.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class SourceOutageTest {
    private static final String NS = "default";
    private static final ObjectKey SOURCE = new ObjectKey(GitRepository.KIND, NS, "apps");
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Per test (JUnit's {@code @TempDir} is not injected into {@code @QuarkusTest}s). */
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
    private RenderCoordinator coordinator;
    private final List<RenderCoordinator> coordinators = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-source-outage");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        // each test starts with no artifact stored for its GitRepository
        TestCoordinators.forgetNamespace(runner, NS);
        coordinator = coordinator();
    }

    @AfterEach
    void stop() throws Exception {
        coordinators.forEach(RenderCoordinator::close);
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    @Test
    void failedFetchKeepsTheLastGoodArtifactAndRendersNothingUntilAFetchSucceeds() throws Exception {
        withServedFirstRevision(scene -> {
            Path work = scene.work();
            String url = scene.url();
            String r1 = scene.revision();
            // the receiver stored r1 and published it: the renderer fetches it and digests its content
            await(coordinator.onSourceRevision(revision(url, r1)));
            Artifact good = artifact();
            assertThat(good.revision()).isEqualTo(r1);
            assertThat(good.digest()).startsWith("sha256:");
            assertThat(ready().status()).isEqualTo("True");

            // r2 is pushed, ls-remote sees it, but the fetch is refused (the password changed)
            Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app2\n");
            String r2 = "main@sha1:" + TestRepositories.commit(work, "main");
            receiverStored(r2, url);
            secret("rotated");
            kustomizations.add(kustomization());
            await(coordinator.onSourceRevision(revision(url, r2)));

            Condition down = ready();
            assertThat(down.status()).isEqualTo("False");
            assertThat(down.reason()).isEqualTo("GitOperationFailed");
            assertThat(down.message()).startsWith("failed to checkout and determine revision: unable to clone '" + url + "': ");
            assertThat(condition("FetchFailed")).map(Condition::status).contains("True");
            assertThat(artifact()).isEqualTo(good);
            // the source's latest revision stays r1 and no failed render of its Kustomization is published
            assertThat(TestCoordinators.storedRevision(runner, SOURCE)).contains(r1);
            assertThat(published.list()).isEmpty();

            // the credentials are right again: the same revision is fetched, Ready=True with r2's artifact
            secret("s3cret");
            kustomizations.clear();
            await(coordinator.onSourceRevision(revision(url, r2)));
            Condition up = ready();
            assertThat(up.status()).isEqualTo("True");
            assertThat(up.message()).isEqualTo("stored artifact for revision '" + r2 + "'");
            assertThat(condition("FetchFailed")).isEmpty();
            Artifact fetched = artifact();
            assertThat(fetched.revision()).isEqualTo(r2);
            assertThat(fetched.digest()).startsWith("sha256:").isNotEqualTo(good.digest());
            assertThat(TestCoordinators.storedRevision(runner, SOURCE)).contains(r2);

            // r3 is pushed and the server goes away before the renderer fetches it: r2 stays the artifact
            Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app3\n");
            String r3 = "main@sha1:" + TestRepositories.commit(work, "main");
            receiverStored(r3, url);
            scene.server().stop();
            kustomizations.add(kustomization());
            await(coordinator.onSourceRevision(revision(url, r3)));
            assertThat(ready().reason()).isEqualTo("GitOperationFailed");
            assertThat(ready().message()).contains(url);
            assertThat(artifact()).isEqualTo(fetched);
            assertThat(TestCoordinators.storedRevision(runner, SOURCE)).contains(r2);
            assertThat(published.list()).isEmpty();
        });
    }

    @Test
    void restartedRendererServesTheStoredArtifactWhenTheStatusNoLongerHasIt() throws Exception {
        withServedFirstRevision(scene -> {
            Path work = scene.work();
            String url = scene.url();
            String r1 = scene.revision();
            await(coordinator.onSourceRevision(revision(url, r1)));
            Artifact good = artifact();
            assertThat(good.revision()).isEqualTo(r1);
            assertThat(good.digest()).startsWith("sha256:");

            // while the renderer is down, r2 is pushed and the receiver says Progressing (the artifact stays r1's) ...
            Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app2\n");
            String r2 = "main@sha1:" + TestRepositories.commit(work, "main");
            receiverStored(r2, url);
            assertThat(artifact()).isEqualTo(good);
            // ... and the password changes: the restarted renderer sees a status that no longer names r1, fails r2
            secret("rotated");
            RenderCoordinator restarted = coordinator();
            restarted.onGitRepository(current());
            kustomizations.add(kustomization());
            await(restarted.onSourceRevision(revision(url, r2)));

            assertThat(ready().status()).isEqualTo("False");
            assertThat(ready().reason()).isEqualTo("GitOperationFailed");
            assertThat(condition("FetchFailed")).map(Condition::status).contains("True");
            assertThat(artifact()).isEqualTo(good);
            assertThat(published.list()).isEmpty();
        });
    }

    /**
     * Issue #11: a {@code conflux.source-revisions} record naming a commit that is not the tip of the tracked branch
     * (published to Kafka directly: a commit of another branch under the tracked branch's name or its own, the branch's
     * previous commit, another URL) renders nothing and changes nothing; the tip's record is rendered.
     */
    @Test
    void aRecordWhoseCommitIsNotTheTipOfTheTrackedRefIsNotRendered() throws Exception {
        Path work = appsRepository();
        String c1 = TestRepositories.commit(work, "main");
        String other;
        try (Git git = Git.open(work.toFile())) {
            git.checkout().setCreateBranch(true).setName("attacker").call();
            Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: backdoor\n");
            other = TestRepositories.commit(work, "attacker");
            git.checkout().setName("main").call();
        }
        String r1 = "main@sha1:" + c1;
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            createGitRepository(url);
            receiverStored(r1, url);
            await(coordinator.onSourceRevision(revision(url, r1)));
            Artifact good = artifact();
            assertThat(good.revision()).isEqualTo(r1);
            kustomizations.add(kustomization());

            // the other branch's commit, under main's name and its own, and under another URL
            for (SourceRevision forged : List.of(revision(url, "main@sha1:" + other), revision(url, "attacker@sha1:" + other),
                    new SourceRevision(SOURCE.toString(), 1L, server.url("acme/other"), GitRepositoryRef.branch("main"),
                            r1, Trigger.POLL, null, null))) {
                await(coordinator.onSourceRevision(forged));
                assertThat(published.list()).as(forged.toString()).isEmpty();
                assertThat(TestCoordinators.storedRevision(runner, SOURCE)).as(forged.toString()).contains(r1);
                assertThat(artifact()).as(forged.toString()).isEqualTo(good);
                assertThat(ready().status()).as(forged.toString()).isEqualTo("True");
            }

            // main moves on: a record of its previous commit is stale and renders nothing; the tip's record renders
            Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app2\n");
            String r2 = "main@sha1:" + TestRepositories.commit(work, "main");
            kustomizations.clear();
            kustomizations.add(kustomization("again"));
            await(coordinator.onSourceRevision(revision(url, r1)));
            assertThat(published.list()).isEmpty();
            receiverStored(r2, url);
            await(coordinator.onSourceRevision(revision(url, r2)));
            assertThat(TestCoordinators.storedRevision(runner, SOURCE)).contains(r2);
            assertThat(published.list()).singleElement().satisfies(r -> {
                assertThat(r.sourceRevision()).isEqualTo(r2);
                assertThat(r.bundleDigest()).isNotNull();
            });
            assertThat(artifact().revision()).isEqualTo(r2);
        }
    }

    /**
     * The tip of a tag is the tag's commit (an annotated tag is peeled) and of a pinned {@code ref.commit} that commit:
     * records naming them render, records naming any other commit under the tag's name do not.
     */
    @Test
    void tagsAndPinnedCommitsAreTheirOwnTips() throws Exception {
        Path work = appsRepository();
        String tagged = TestRepositories.commit(work, "main");
        try (Git git = Git.open(work.toFile())) {
            git.tag().setName("v1.0.0").setAnnotated(true).setMessage("v1.0.0").call();
        }
        Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app2\n");
        String later = TestRepositories.commit(work, "main");
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            createGitRepository(url, new GitRepositoryRef(null, "v1.0.0", null, null, null));
            kustomizations.add(kustomization());
            await(coordinator.onSourceRevision(revision(url, "v1.0.0@sha1:" + later)));
            assertThat(published.list()).isEmpty();
            await(coordinator.onSourceRevision(revision(url, "v1.0.0@sha1:" + tagged)));
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.sourceRevision()).isEqualTo("v1.0.0@sha1:" + tagged));

            // pinned to the earlier commit: that commit is the tip, although main has moved on
            repositories.put(SOURCE, client.resources(GitRepository.class).inNamespace(NS).withName("apps").edit(g -> {
                g.setSpec(new GitRepositorySpec(url, new GitRepositoryRef("main", null, null, null, tagged), "1m", null,
                        new LocalObjectReference("git-auth"), null, null, null));
                return g;
            }));
            published.clear();
            kustomizations.clear();
            kustomizations.add(kustomization("pinned"));
            await(coordinator.onSourceRevision(revision(url, "main@sha1:" + later)));
            assertThat(published.list()).isEmpty();
            await(coordinator.onSourceRevision(revision(url, "main@sha1:" + tagged)));
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.sourceRevision()).isEqualTo("main@sha1:" + tagged));
        }
    }

    /**
     * #12: the GitRepository's status reports a fetched artifact only once it is stored. Before, the digest and
     * {@code Ready=True} were written first; when storing then failed, nothing was rendered, and the status already
     * claimed the artifact, so nothing fetched it again. PostgreSQL refuses the store here (a trigger): the status
     * stays as the receiver wrote it and nothing is published; the redelivered revision is stored, reported and rendered.
     */
    @Test
    void theStatusReportsAFetchedArtifactOnlyOnceItIsStored() throws Exception {
        withServedFirstRevision(scene -> {
            String url = scene.url();
            String r1 = scene.revision();
            kustomizations.add(kustomization());
            sql("CREATE OR REPLACE FUNCTION conflux_test_refuse() RETURNS trigger AS $$"
                    + " BEGIN RAISE EXCEPTION 'source_artifact refused by the test'; END $$ LANGUAGE plpgsql");
            sql("CREATE TRIGGER conflux_test_refuse BEFORE INSERT OR UPDATE ON source_artifact"
                    + " FOR EACH ROW EXECUTE FUNCTION conflux_test_refuse()");
            try {
                assertThatThrownBy(() -> await(coordinator.onSourceRevision(revision(url, r1))))
                        .hasStackTraceContaining("source_artifact refused by the test");
                assertThat(artifact()).as("artifact written although it is not stored").isNull();
                assertThat(published.list()).isEmpty();
            } finally {
                sql("DROP TRIGGER IF EXISTS conflux_test_refuse ON source_artifact");
            }

            await(coordinator.onSourceRevision(revision(url, r1)));
            assertThat(artifact().digest()).startsWith("sha256:");
            assertThat(artifact().path()).isEqualTo("gitrepository/" + NS + "/apps/"
                    + artifact().digest().substring("sha256:".length()) + ".tar.gz");
            assertThat(stored().revision).isEqualTo(r1);
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.sourceRevision()).isEqualTo(r1));
        });
    }

    /**
     * The renders of a stored artifact do not wait for its status: they read the artifact from PostgreSQL, so they start
     * once it is stored, while the status is written. Here the API server holds the status write until the render's
     * result is in the outbox. The in-memory API server answers one request at a time, so this also checks that such a
     * render asks the API server nothing: it reads the commit from the mirror the fetch filled, without the
     * GitRepository's Secret (read only when the mirror has to fetch).
     */
    @Test
    void theRendersOfAStoredArtifactDoNotWaitForItsStatus() throws Exception {
        withServedFirstRevision(scene -> {
            String url = scene.url();
            String r1 = scene.revision();
            kustomizations.add(kustomization());
            CountDownLatch statusHeld = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            kube.authorize(request -> {
                if ("gitrepositories".equals(request.resource()) && "status".equals(request.subresource())) {
                    statusHeld.countDown();
                    try {
                        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return true;
            });
            CompletableFuture<Void> handled;
            try {
                handled = coordinator.onSourceRevision(revision(url, r1)).subscribeAsCompletionStage();
                assertThat(statusHeld.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the status write began").isTrue();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (published.list().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(published.list()).as("rendered while the status write is held")
                        .singleElement().satisfies(r -> assertThat(r.sourceRevision()).isEqualTo(r1));
                assertThat(handled).as("the revision is handled once its status is written").isNotDone();
            } finally {
                release.countDown();
                kube.authorize(Authorizer.ALLOW_ALL);
            }
            handled.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(artifact().revision()).isEqualTo(r1);
            assertThat(published.list()).hasSize(1);
        });
    }

    private void sql(String statement) {
        runner.run(blocking -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(statement).executeUpdate()))).await().atMost(WAIT);
    }

    /** A deleted GitRepository's artifact goes with it: one created again under the name inherits nothing. */
    @Test
    void aDeletedGitRepositoryForgetsItsStoredArtifact() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("repos/acme/apps"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources: []\n");
        String r1 = "main@sha1:" + TestRepositories.commit(work, "main");
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            createGitRepository(url);
            receiverStored(r1, url);
            await(coordinator.onSourceRevision(revision(url, r1)));
            assertThat(stored()).isNotNull();

            await(coordinator.onGitRepositoryDeleted(current()));
            assertThat(stored()).isNull();
        }
    }

    private SourceArtifact stored() {
        return runner.run(blocking -> Panache.withSession(() -> SourceArtifact.last(new ObjectKey(GitRepository.KIND, NS, "apps")))).await().atMost(WAIT);
    }


    /**
     * What {@link #withServedFirstRevision} set up.
     *
     * @param work     the working tree of repository {@code acme/apps}, to commit more revisions in
     * @param server   the Git server serving it
     * @param url      the repository's URL on that server
     * @param revision its first revision, {@code main@sha1:<hex>}
     */
    private record Scene(Path work, LocalHttpGitServer server, String url, String revision) {
    }

    /** A test's steps once {@link #withServedFirstRevision} set the scene. */
    private interface SceneSteps {
        void run(Scene scene) throws Exception;
    }

    /**
     * Runs {@code steps} with repository {@code acme/apps} at its first commit served over HTTP and GitRepository
     * {@code apps} of it as the receiver left it after ls-remote; no Kustomization reads it yet.
     */
    private void withServedFirstRevision(SceneSteps steps) throws Exception {
        Path work = appsRepository();
        String r1 = "main@sha1:" + TestRepositories.commit(work, "main");
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/apps");
            createGitRepository(url);
            receiverStored(r1, url);
            steps.run(new Scene(work, server, url, r1));
        }
    }

    /** @return the working tree of repository {@code acme/apps}: a kustomization of one ConfigMap, not committed yet */
    private Path appsRepository() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("repos/acme/apps"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n");
        return work;
    }

    /** @return a coordinator over this test's cluster and objects, with its mirrors in the test's directory */
    private RenderCoordinator coordinator() {
        RenderCoordinator c = TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox, Map.of(), watched);
        coordinators.add(c);
        return c;
    }

    /** Creates GitRepository {@code apps} of {@code url} (branch main) with the basic-auth Secret {@code git-auth}. */
    private void createGitRepository(String url) {
        createGitRepository(url, GitRepositoryRef.branch("main"));
    }

    /** Creates GitRepository {@code apps} of {@code url} at {@code ref} with the basic-auth Secret {@code git-auth}. */
    private void createGitRepository(String url, GitRepositoryRef ref) {
        secret("s3cret");
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("apps").build());
        repo.setSpec(new GitRepositorySpec(url, ref, "1m", null,
                new LocalObjectReference("git-auth"), null, null, null));
        repositories.put(SOURCE, client.resource(repo).create());
    }

    private void secret(String password) {
        client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("git-auth").endMetadata()
                .withStringData(Map.of("username", "git", "password", password)).build()).createOr(r -> r.update());
    }

    /**
     * What the receiver writes after ls-remote, before publishing: {@code Ready=Unknown} {@code Progressing}; it never
     * writes {@code status.artifact} (Flux's schema requires the digest and path only the renderer knows).
     */
    private void receiverStored(String revision, String url) {
        GitRepository g = client.resources(GitRepository.class).inNamespace(NS).withName("apps").get();
        List<Condition> conditions = new java.util.ArrayList<>(g.getStatus() == null || g.getStatus().conditions() == null
                ? List.of() : g.getStatus().conditions());
        conditions.removeIf(c -> "FetchFailed".equals(c.type()));
        TestCoordinators.patchStatus(client, NS, "apps", Map.of("conditions", Conditions.set(conditions,
                new Condition("Ready", "Unknown", 1L, Conditions.now(), "Progressing",
                        "building artifact: new upstream revision '" + revision + "'"))));
    }

    private static SourceRevision revision(String url, String revision) {
        return new SourceRevision(SOURCE.toString(), 1L, url, GitRepositoryRef.branch("main"), revision, Trigger.POLL,
                null, null);
    }

    private static Kustomization kustomization() {
        return kustomization("apps");
    }

    /** A Kustomization of GitRepository {@code apps} at its root, named {@code name}. */
    private static Kustomization kustomization(String name) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: %s
                  namespace: default
                  generation: 1
                spec:
                  interval: 10m
                  path: ./
                  prune: true
                  sourceRef:
                    kind: GitRepository
                    name: apps
                """.formatted(name), Kustomization.class);
    }

    private GitRepository current() {
        return client.resources(GitRepository.class).inNamespace(NS).withName("apps").get();
    }

    private Artifact artifact() {
        return current().getStatus().artifact();
    }

    private Condition ready() {
        return condition(Condition.READY).orElseThrow();
    }

    private Optional<Condition> condition(String type) {
        return Conditions.find(current().getStatus().conditions(), type);
    }

    private static void await(Uni<Void> uni) {
        uni.await().atMost(WAIT);
    }
}
