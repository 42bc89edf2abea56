package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.HelmRepositorySpec;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Requeue;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Kustomization or HelmRelease rendered before its source exists (#17's 1,000-HelmRelease run: the HelmRepository
 * created by the same Kustomization as the releases) is rendered again soon, not after its interval (1h here): after
 * {@code conflux.renderer.requeue-dependency}, as helm-controller and kustomize-controller requeue after
 * {@code --requeue-dependency}, and at once when the source's event comes, also when the informer cache did not hold
 * the object at that moment. The failure it shows meanwhile keeps Flux's reason and message.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class SourceDependencyRequeueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "waiting";
    private static final String LOCAL = "https://git.conflux.local/";
    private static final ObjectKey SOURCE = new ObjectKey(GitRepository.KIND, NS, "apps");
    private static final String RELEASE = "HelmRelease/" + NS + "/app";
    private static final String KUSTOMIZATION = "Kustomization/" + NS + "/apps";

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
    /** The coordinator's timers; remembers the first wait of each render it armed ("key in PT1S"). */
    private final List<String> scheduled = new CopyOnWriteArrayList<>();
    private final Requeue requeue = new Requeue() {
        @Override
        public void schedule(String key, Duration delay, Supplier<Uni<Duration>> run, Duration afterFailure) {
            scheduled.add(key + " in " + delay);
            super.schedule(key, delay, run, afterFailure);
        }
    };
    private RenderCoordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        tmp = Files.createTempDirectory("conflux-waiting");
        Files.createDirectories(tmp.resolve("repos"));
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        TestCoordinators.forgetNamespace(runner, NS);
        published = new TestCoordinators.Published(runner);
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
     * The release renders while its HelmRepository is not in the cache: ArtifactFailed, the message naming it; its
     * next render is due after requeue-dependency (1 s here), not its 1h interval, and renders it once the repository
     * is there, though no event said so. Before, it stayed failed for the interval.
     */
    @Test
    void aReleaseWhoseHelmRepositoryIsMissingIsRenderedAgainAfterRequeueDependency() throws Exception {
        coordinator(Duration.ofSeconds(1));
        try (LocalChartRepository charts = LocalChartRepository.start(chart("1.0.0"))) {
            HelmRelease hr = release();
            watched.helmReleases.add(hr);
            coordinator.onHelmRelease(hr).await().atMost(WAIT);
            // the timer may have rendered it again meanwhile: the same failure
            assertThat(published.list()).first().satisfies(r -> {
                assertThat(r.reason()).isEqualTo("ArtifactFailed");
                assertThat(r.error()).isEqualTo("HelmRepository '" + NS + "/charts' not found");
            });
            assertThat(scheduled).as("next render of a release waiting for its source").first()
                    .isEqualTo(RELEASE + " in PT1S");

            watched.helmRepositories.put(NS + "/charts", helmRepository(charts.url()));
            assertThat(rendered(RELEASE)).as("rendered once its HelmRepository is there").isNotNull();
            assertThat(published.list()).as("every failure before keeps Flux's reason and message")
                    .filteredOn(r -> r.bundleDigest() == null)
                    .allSatisfy(r -> assertThat(r.error()).isEqualTo("HelmRepository '" + NS + "/charts' not found"));
        }
    }

    /**
     * The release renders, from its own event, before its HelmRepository is in the cache, and is not in the release
     * cache either when the repository's event comes (the informers race): the event renders it all the same, though
     * its requeue-dependency (1h here) is far off.
     */
    @Test
    void theHelmRepositoryEventRendersTheReleasesWaitingForItThatTheCacheDoesNotHold() throws Exception {
        coordinator(Duration.ofHours(1));
        try (LocalChartRepository charts = LocalChartRepository.start(chart("1.0.0"))) {
            coordinator.onHelmRelease(release()).await().atMost(WAIT);
            assertThat(published.list()).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo("ArtifactFailed"));

            HelmRepository repository = helmRepository(charts.url());
            watched.helmRepositories.put(NS + "/charts", repository);
            coordinator.onHelmRepository(repository).await().atMost(WAIT);
            assertThat(published.list()).hasSize(2).last().satisfies(r -> {
                assertThat(r.object()).isEqualTo(RELEASE);
                assertThat(r.reason()).isNull();
                assertThat(r.bundleDigest()).isNotNull();
            });
        }
    }

    /**
     * A Kustomization whose GitRepository has nothing stored yet waits with a timer at requeue-dependency (30 s here,
     * its interval 1h); before, it had none and waited for the source's event alone.
     */
    @Test
    void aKustomizationWaitingForAnArtifactLooksAgainAfterRequeueDependency() throws Exception {
        coordinator(Duration.ofSeconds(30));
        gitRepository();
        Kustomization k = kustomization();
        watched.kustomizations.add(k);
        coordinator.onKustomizationChanged(k).await().atMost(WAIT);
        assertThat(published.list()).as("nothing to show while no artifact is stored").isEmpty();
        assertThat(scheduled).as("next look of a Kustomization waiting for its source")
                .containsExactly(KUSTOMIZATION + " in PT30S");
        assertThat(requeue.next(KUSTOMIZATION)).isPresent();
    }

    /**
     * The Kustomization waits for an artifact and is not in the cache when the revision is stored (the GitRepository's
     * event came first): the stored revision renders it all the same.
     */
    @Test
    void aStoredRevisionRendersTheKustomizationsWaitingForItThatTheCacheDoesNotHold() throws Exception {
        coordinator(Duration.ofHours(1));
        String revision = gitRepository();
        coordinator.onKustomizationChanged(kustomization()).await().atMost(WAIT);
        coordinator.onSourceRevision(new SourceRevision(SOURCE.toString(), 1L, LOCAL + "apps",
                GitRepositoryRef.branch("main"), revision, Trigger.POLL, null, null)).await().atMost(WAIT);
        assertThat(published.list()).singleElement().satisfies(r -> {
            assertThat(r.object()).isEqualTo(KUSTOMIZATION);
            assertThat(r.sourceRevision()).isEqualTo(revision);
            assertThat(r.bundleDigest()).isNotNull();
        });
    }

    private void coordinator(Duration requeueDependency) {
        coordinator = TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox,
                Map.of(LOCAL, tmp.resolve("repos").toUri().toString()), watched, requeue, requeueDependency);
    }

    /** @return the first successful render result of {@code object} published, waiting for it up to {@link #WAIT} */
    private RenderResult rendered(String object) throws InterruptedException {
        Instant until = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(until)) {
            List<RenderResult> results = published.list();
            for (RenderResult r : results) {
                if (object.equals(r.object()) && r.bundleDigest() != null) {
                    return r;
                }
            }
            Thread.sleep(100);
        }
        return null;
    }

    private static HelmRelease release() {
        return Serialization.unmarshal("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: app, namespace: %s, generation: 1}
                spec:
                  interval: 1h
                  chart:
                    spec:
                      chart: app
                      version: "1.0.x"
                      sourceRef: {kind: HelmRepository, name: charts}
                """.formatted(NS), HelmRelease.class);
    }

    private static Kustomization kustomization() {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps, namespace: %s, generation: 1}
                spec:
                  interval: 1h
                  path: ./
                  prune: true
                  sourceRef: {kind: GitRepository, name: apps}
                """.formatted(NS), Kustomization.class);
    }

    private HelmRepository helmRepository(String url) {
        HelmRepository repository = new HelmRepository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("charts").build());
        repository.setSpec(new HelmRepositorySpec(url, null, "1h", null, null, null));
        client.resource(repository).create();
        return client.resources(HelmRepository.class).inNamespace(NS).withName("charts").get();
    }

    /** Creates repository {@code apps} with one commit and GitRepository {@code apps} of it; @return the revision */
    private String gitRepository() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("repos/apps"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: waited\n");
        String revision = "main@sha1:" + TestRepositories.commit(work, "main");
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("apps").build());
        repo.setSpec(new GitRepositorySpec(LOCAL + "apps", GitRepositoryRef.branch("main"), "1m", null, null, null,
                null, null));
        watched.gitRepositories.put(SOURCE, client.resource(repo).create());
        return revision;
    }

    private Path chart(String version) throws Exception {
        Path chart = Files.createDirectories(tmp.resolve("charts").resolve(version).resolve("app"));
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: " + version + "\n");
        Files.writeString(chart.resolve("values.yaml"), "replicaCount: 1\n");
        Files.writeString(chart.resolve("templates/cm.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {replicas: \"{{ .Values.replicaCount }}\"}\n");
        return chart;
    }
}
