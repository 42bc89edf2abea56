package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the renderer reads for a tenant's GitRepository: only http, https and ssh URLs (Flux's CRD pattern), local
 * repositories only through the operator's rewrites, and only its own mirror. A {@code file://} URL or a local path is
 * {@code Ready=False} naming {@code spec.url} with nothing read; tenant B naming the URL of tenant A's private
 * repository without credentials gets none of A's content, neither by a new revision nor through a revision written in
 * its status.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class SourceIsolationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LOCAL = "https://git.conflux.local/";

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
    /** Stands for the informer cache of GitRepositories (read on the event loop, so never a call to the API). */
    private final Map<ObjectKey, GitRepository> repositories = watched.gitRepositories;
    private RenderCoordinator coordinator;
    private String r1;

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-source-isolation");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        for (String ns : List.of("team-a", "team-b")) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            TestCoordinators.forgetNamespace(runner, ns);
        }
        Path work = Files.createDirectories(tmp.resolve("repos/acme/private"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: private\n");
        r1 = "main@sha1:" + TestRepositories.commit(work, "main");
        coordinator = TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox,
                Map.of(LOCAL, tmp.resolve("repos").toUri().toString()), watched);
    }

    @AfterEach
    void stop() throws Exception {
        coordinator.close();
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    @Test
    void aFileUrlIsRefusedNamingSpecUrlAndNothingIsRead() throws Exception {
        assertRefusedUnread(tmp.resolve("repos/acme/private").toUri().toString(), "spec.url is a file:// URL");
    }

    @Test
    void aBareLocalPathIsRefusedNamingSpecUrlAndNothingIsRead() throws Exception {
        assertRefusedUnread(tmp.resolve("repos/acme/private").toString(), "spec.url is a local path");
    }

    @Test
    void anOperatorRewriteToALocalDirectoryStillRenders() throws Exception {
        String url = LOCAL + "acme/private";
        createGitRepository("team-a", url, null);
        kustomizations.add(kustomization("team-a"));
        await(coordinator.onSourceRevision(revision("team-a", url, r1)));

        assertThat(TestCoordinators.storedRevision(runner, new ObjectKey(GitRepository.KIND, "team-a", "apps"))).contains(r1);
        assertThat(published.list()).singleElement().satisfies(r -> {
            assertThat(r.object()).isEqualTo("Kustomization/team-a/apps");
            assertThat(r.bundleDigest()).isNotNull();
            assertThat(r.error()).isNull();
        });
    }

    @Test
    void anotherTenantNamingAPrivateUrlWithoutCredentialsGetsNoneOfItsContent() throws Exception {
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "git", "s3cret")) {
            String url = server.url("acme/private");
            // tenant A fetches its private repository with its credentials and renders it
            client.resource(new SecretBuilder().withNewMetadata().withNamespace("team-a").withName("git-auth").endMetadata()
                    .withStringData(Map.of("username", "git", "password", "s3cret")).build()).create();
            createGitRepository("team-a", url, "git-auth");
            kustomizations.add(kustomization("team-a"));
            await(coordinator.onSourceRevision(revision("team-a", url, r1)));
            assertThat(TestCoordinators.storedRevision(runner, new ObjectKey(GitRepository.KIND, "team-a", "apps"))).contains(r1);
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.bundleDigest()).isNotNull());
            published.clear();

            // tenant B names the same URL with no secretRef: its fetch is refused by the server
            createGitRepository("team-b", url, null);
            kustomizations.add(kustomization("team-b"));
            int refused = server.rejected().size();
            await(coordinator.onSourceRevision(revision("team-b", url, r1)));
            Condition down = ready("team-b");
            assertThat(down.status()).isEqualTo("False");
            assertThat(down.reason()).isEqualTo("GitOperationFailed");
            assertThat(server.rejected().size()).isGreaterThan(refused);
            assertThat(published.list()).isEmpty();

            // B writes A's revision into its own status (as the receiver would after an ls-remote) and changes its
            // Kustomization: a render reads only the artifact the renderer stored for B, and it stored none (its
            // fetch failed), so nothing of A's is read: the Kustomization waits for an artifact of its own
            String zeros = "0".repeat(64);
            TestCoordinators.patchStatus(client, "team-b", "apps", Map.of("artifact",
                    Map.of("revision", r1, "url", url, "lastUpdateTime", Conditions.now(), "digest", "sha256:" + zeros,
                            "path", "gitrepository/team-b/apps/" + zeros + ".tar.gz")));
            cached("team-b");
            await(coordinator.onKustomizationChanged(kustomization("team-b")));
            assertThat(TestCoordinators.storedRevision(runner, new ObjectKey(GitRepository.KIND, "team-b", "apps"))).isEmpty();
            assertThat(published.list()).isEmpty();
        }
    }

    private void assertRefusedUnread(String url, String message) throws Exception {
        // Flux's schema (every served version) refuses such a spec.url on write: the renderer meets one only in an
        // object stored before that schema was installed, which the informer cache below stands for
        createGitRepository("team-b", "https://git.example.invalid/acme/private", null);
        GitRepository stored = repositories.get(new ObjectKey(GitRepository.KIND, "team-b", "apps"));
        GitRepositorySpec spec = stored.getSpec();
        stored.setSpec(new GitRepositorySpec(url, spec.ref(), spec.interval(), spec.timeout(), spec.secretRef(),
                spec.suspend(), spec.ignore(), spec.include()));
        kustomizations.add(kustomization("team-b"));
        await(coordinator.onSourceRevision(revision("team-b", url, r1)));

        Condition down = ready("team-b");
        assertThat(down.status()).isEqualTo("False");
        assertThat(down.message()).contains(message);
        assertThat(TestCoordinators.storedRevision(runner, new ObjectKey(GitRepository.KIND, "team-b", "apps"))).isEmpty();
        assertThat(published.list()).isEmpty();
        // nothing was cloned from the local path
        Path mirrors = tmp.resolve("mirrors");
        if (Files.exists(mirrors)) {
            try (Stream<Path> files = Files.walk(mirrors)) {
                assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
            }
        }
    }


    /** Creates GitRepository {@code <namespace>/apps} of {@code url} (branch main), with Secret {@code secret} or none. */
    private void createGitRepository(String namespace, String url, String secret) {
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("apps").build());
        repo.setSpec(new GitRepositorySpec(url, GitRepositoryRef.branch("main"), "1m", null,
                secret == null ? null : new LocalObjectReference(secret), null, null, null));
        client.resource(repo).create();
        cached(namespace);
    }

    /** Copies GitRepository {@code <namespace>/apps} into the informer cache the coordinator reads. */
    private void cached(String namespace) {
        repositories.put(new ObjectKey(GitRepository.KIND, namespace, "apps"),
                client.resources(GitRepository.class).inNamespace(namespace).withName("apps").get());
    }

    private static SourceRevision revision(String namespace, String url, String revision) {
        return new SourceRevision(new ObjectKey(GitRepository.KIND, namespace, "apps").toString(), 1L, url,
                GitRepositoryRef.branch("main"), revision, Trigger.POLL, null, null);
    }

    private static Kustomization kustomization(String namespace) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: %s
                  generation: 1
                spec:
                  interval: 10m
                  path: ./
                  prune: true
                  sourceRef:
                    kind: GitRepository
                    name: apps
                """.formatted(namespace), Kustomization.class);
    }

    private Condition ready(String namespace) {
        GitRepository g = client.resources(GitRepository.class).inNamespace(namespace).withName("apps").get();
        assertThat(g.getStatus()).as("status of GitRepository %s/apps, where a failed fetch is written", namespace)
                .isNotNull();
        return Conditions.find(g.getStatus().conditions(), Condition.READY).orElseThrow();
    }

    private static void await(Uni<Void> uni) {
        uni.await().atMost(WAIT);
    }
}
