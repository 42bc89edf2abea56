package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.PipelineMetrics;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #14's pipeline metrics of the renderer on {@code /q/metrics} (Prometheus text, the service's Micrometer
 * registry): after one Kustomization renders and another fails its kustomize build,
 * {@code conflux_render_duration_seconds} counts one render of each outcome with Flux's buckets and
 * {@code conflux_bundle_size_bytes} one bundle of at most 1 KiB, labelled with the kind.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class RenderMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LOCAL = "https://git.conflux.local/";
    private static final String NS = "metered";

    @Inject
    ReactiveRunner runner;
    @Inject
    BundleStore bundleStore;
    @Inject
    Outbox outbox;
    @Inject
    PipelineMetrics metrics;
    @TestHTTPResource("/q/metrics")
    URI scrape;

    private Path tmp;
    private InMemoryKubernetes kube;
    private KubernetesClient client;
    private RenderCoordinator coordinator;
    private TestCoordinators.Published published;
    private final TestCoordinators.Watched watched = new TestCoordinators.Watched();

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-render-metrics");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        TestCoordinators.forgetNamespace(runner, NS);
        // the rewrite's base ends in '/' only for an existing directory
        Path repos = Files.createDirectories(tmp.resolve("repos"));
        coordinator = TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox,
                Map.of(LOCAL, repos.toUri().toString()), watched);
        coordinator.metrics(metrics);
    }

    @AfterEach
    void stop() throws Exception {
        coordinator.close();
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    @Test
    void aRenderAndAFailedBuildAreTimedByOutcomeAndTheBundleIsSized() throws Exception {
        List<String> before = scrape();
        Path work = tmp.resolve("repos/metered");
        Files.createDirectories(work.resolve("app"));
        Files.createDirectories(work.resolve("broken"));
        Files.writeString(work.resolve("app/kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app/app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n");
        Files.writeString(work.resolve("broken/kustomization.yaml"), "resources:\n  - missing.yaml\n");
        String revision = "main@sha1:" + TestRepositories.commit(work, "main");
        String url = LOCAL + "metered";
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("metered").build());
        repo.setSpec(new GitRepositorySpec(url, GitRepositoryRef.branch("main"), "1m", null, null, null, null, null));
        client.resource(repo).create();
        watched.gitRepositories.put(new ObjectKey(GitRepository.KIND, NS, "metered"),
                client.resources(GitRepository.class).inNamespace(NS).withName("metered").get());
        watched.kustomizations.add(kustomization("app", "./app"));
        watched.kustomizations.add(kustomization("broken", "./broken"));

        coordinator.onSourceRevision(new SourceRevision(new ObjectKey(GitRepository.KIND, NS, "metered").toString(), 1L,
                url, GitRepositoryRef.branch("main"), revision, Trigger.POLL, null, null)).await().atMost(WAIT);

        assertThat(published.list()).extracting(RenderResult::object).contains("Kustomization/" + NS + "/app",
                "Kustomization/" + NS + "/broken");
        List<String> after = scrape();
        assertThat(increase(before, after, "conflux_render_duration_seconds_count{kind=\"Kustomization\","
                + "outcome=\"success\"}")).as(String.join("\n", after)).isEqualTo(1);
        assertThat(increase(before, after, "conflux_render_duration_seconds_count{kind=\"Kustomization\","
                + "outcome=\"failure\"}")).isEqualTo(1);
        assertThat(after).as("Flux's duration buckets, 0.01 s … 1800 s")
                .anyMatch(l -> l.startsWith("conflux_render_duration_seconds_bucket{kind=\"Kustomization\","
                        + "outcome=\"success\",le=\"0.01\"}"))
                .anyMatch(l -> l.startsWith("conflux_render_duration_seconds_bucket{kind=\"Kustomization\","
                        + "outcome=\"success\",le=\"1800.0\"}"));
        assertThat(increase(before, after, "conflux_bundle_size_bytes_count{kind=\"Kustomization\"}"))
                .as("only the rendered bundle is sized").isEqualTo(1);
        assertThat(increase(before, after, "conflux_bundle_size_bytes_bucket{kind=\"Kustomization\",le=\"1024.0\"}"))
                .as("one ConfigMap is less than 1 KiB").isEqualTo(1);
    }

    /** @return the Prometheus text exposition of the service, one line each */
    private List<String> scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(scrape).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().lines().toList();
    }

    /** @return how much the sample {@code series} (name and labels) grew between the scrapes; absent counts 0 */
    private static long increase(List<String> before, List<String> after, String series) {
        return Math.round(value(after, series) - value(before, series));
    }

    private static double value(List<String> lines, String series) {
        return lines.stream().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElse(0.0);
    }

    private static Kustomization kustomization(String name, String path) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: %s
                  namespace: %s
                  generation: 1
                spec:
                  interval: 10m
                  path: %s
                  prune: true
                  sourceRef:
                    kind: GitRepository
                    name: metered
                """.formatted(name, NS, path), Kustomization.class);
    }
}
