package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmChartStatus;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.HelmRepositorySpec;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HelmChart as source-controller reconciles it: pulled from a HelmRepository (newest version in range, digest of the
 * archive, {@code ChartPullSucceeded}), packaged from a GitRepository ({@code ChartPackageSucceeded}, the Revision
 * strategy's {@code +<12 hex>}), and the failures with Flux's reasons ({@code verify} NotSupported, a missing source
 * {@code SourceUnavailable}, no matching version {@code ChartPullError}).
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class HelmChartsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "charts";
    private static final String LOCAL = "https://git.conflux.local/";

    private Path tmp;
    private InMemoryKubernetes kube;
    private KubernetesClient client;
    @Inject
    ReactiveRunner runner;
    @Inject
    BundleStore bundleStore;
    @Inject
    Outbox outbox;
    private final TestCoordinators.Watched watched = new TestCoordinators.Watched();
    private RenderCoordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        tmp = Files.createTempDirectory("conflux-helmcharts");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        kube.installCrds(Path.of("src", "test", "resources", "crds-wt-gen"));
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        TestCoordinators.forgetNamespace(runner, NS);
        Files.createDirectories(tmp.resolve("repos"));
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
    void pullsTheNewestVersionInRangeFromAHelmRepository() throws Exception {
        try (LocalChartRepository repo = LocalChartRepository.start(chart("v1", "1.0.0"), chart("v2", "1.0.3"),
                chart("v3", "2.0.0"))) {
            helmRepository(repo.url());
            HelmChartStatus status = reconcile("""
                    chart: app
                    version: "1.0.x"
                    sourceRef: {kind: HelmRepository, name: charts}
                    interval: 5m
                    """);
            Condition ready = ready(status);
            assertThat(ready.status()).isEqualTo("True");
            assertThat(ready.reason()).isEqualTo("ChartPullSucceeded");
            assertThat(ready.message()).isEqualTo("pulled 'app' chart with version '1.0.3'");
            assertThat(status.artifact().revision()).isEqualTo("1.0.3");
            assertThat(status.artifact().digest()).isEqualTo("sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(repo.archive("app", "1.0.3"))));
            assertThat(status.observedChartName()).isEqualTo("app");
            assertThat(status.observedGeneration()).isEqualTo(1L);
        }
    }

    @Test
    void noVersionInRangeIsAChartPullError() throws Exception {
        try (LocalChartRepository repo = LocalChartRepository.start(chart("v1", "1.0.0"))) {
            helmRepository(repo.url());
            Condition ready = ready(reconcile("""
                    chart: app
                    version: ">=3.0.0"
                    sourceRef: {kind: HelmRepository, name: charts}
                    interval: 5m
                    """));
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.reason()).isEqualTo("ChartPullError");
            assertThat(ready.message()).startsWith("chart pull error: ").contains("app");
        }
    }

    @Test
    void packagesAChartFromAGitRepositoryWithTheRevisionStrategy() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("repos/app"));
        Path chart = chart("git", "0.4.0");
        TestRepositories.copy(chart, Files.createDirectories(work.resolve("charts/app")));
        Files.writeString(work.resolve("charts/app/unique.txt"), UUID.randomUUID().toString());
        String sha = TestRepositories.commit(work, "main");
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("app").build());
        repo.setSpec(new GitRepositorySpec(LOCAL + "app", GitRepositoryRef.branch("main"), "1m", null, null, null, null, null));
        client.resource(repo).create();
        watched.gitRepositories.put(new ObjectKey(GitRepository.KIND, NS, "app"),
                client.resources(GitRepository.class).inNamespace(NS).withName("app").get());
        coordinator.onSourceRevision(new SourceRevision(new ObjectKey(GitRepository.KIND, NS, "app").toString(), 1L,
                LOCAL + "app", GitRepositoryRef.branch("main"), "main@sha1:" + sha, Trigger.POLL, null, null))
                .await().atMost(WAIT);

        HelmChartStatus status = reconcile("""
                chart: ./charts/app
                sourceRef: {kind: GitRepository, name: app}
                reconcileStrategy: Revision
                interval: 5m
                """);
        Condition ready = ready(status);
        assertThat(ready.status()).isEqualTo("True");
        assertThat(ready.reason()).isEqualTo("ChartPackageSucceeded");
        assertThat(ready.message()).isEqualTo("packaged 'app' chart with version '0.4.0+" + sha.substring(0, 12) + "'");
        assertThat(status.artifact().revision()).isEqualTo("0.4.0+" + sha.substring(0, 12));
        assertThat(status.artifact().digest()).startsWith("sha256:");
        assertThat(status.observedSourceArtifactRevision()).isEqualTo("main@sha1:" + sha);
    }

    @Test
    void verifyIsNotSupportedAndAMissingSourceIsUnavailable() throws Exception {
        Condition verify = ready(reconcile("""
                chart: app
                sourceRef: {kind: HelmRepository, name: charts}
                interval: 5m
                verify: {provider: cosign}
                """));
        assertThat(verify.reason()).isEqualTo("NotSupported");
        assertThat(verify.message()).contains("spec.verify");

        Condition missing = ready(reconcile("""
                chart: app
                sourceRef: {kind: HelmRepository, name: nowhere}
                interval: 5m
                """));
        assertThat(missing.status()).isEqualTo("False");
        assertThat(missing.reason()).isEqualTo("SourceUnavailable");
        assertThat(missing.message()).contains("HelmRepository 'charts/nowhere' not found");
    }

    /** Creates (or replaces) HelmChart {@code charts/app} with {@code spec}, reconciles it, returns its status. */
    private HelmChartStatus reconcile(String spec) {
        HelmChart existing = client.resources(HelmChart.class).inNamespace(NS).withName("app").get();
        if (existing != null) {
            client.resource(existing).delete();
        }
        HelmChart chart = Serialization.unmarshal("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: HelmChart
                metadata: {name: app, namespace: %s}
                spec:
                """.formatted(NS) + spec.indent(2), HelmChart.class);
        client.resource(chart).create();
        HelmChart created = client.resources(HelmChart.class).inNamespace(NS).withName("app").get();
        coordinator.onHelmChart(created).await().atMost(WAIT);
        return client.resources(HelmChart.class).inNamespace(NS).withName("app").get().getStatus();
    }

    private static Condition ready(HelmChartStatus status) {
        assertThat(status).as("HelmChart status").isNotNull();
        return Conditions.find(status.conditions(), "Ready").orElseThrow();
    }

    private void helmRepository(String url) {
        HelmRepository repository = new HelmRepository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("charts").build());
        repository.setSpec(new HelmRepositorySpec(url, null, "1h", null, null, null));
        client.resource(repository).create();
        watched.helmRepositories.put(NS + "/charts",
                client.resources(HelmRepository.class).inNamespace(NS).withName("charts").get());
    }

    private Path chart(String dir, String version) throws Exception {
        Path chart = Files.createDirectories(tmp.resolve("charts").resolve(dir).resolve("app"));
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: " + version + "\n");
        Files.writeString(chart.resolve("values.yaml"), "replicaCount: 1\n");
        Files.writeString(chart.resolve("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n");
        return chart;
    }
}
