package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.ExternalArtifact;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: a monorepo laid out for Flux 2.7's source-watcher ({@code src/test/resources/monorepo}), served over
 * smart HTTP by the git module's {@link LocalHttpGitServer}. One {@code GitRepository} is split by an
 * {@code ArtifactGenerator} ({@code source.extensions.fluxcd.io/v1beta1}) into one {@code ExternalArtifact} per layer
 * — namespaces → crds → controllers → configs → apps, with {@code **} and single-file copies and {@code exclude}
 * rules — and five {@code Kustomization}s with {@code sourceRef.kind: ExternalArtifact} chained by {@code dependsOn}:
 * configs checks its {@code Widget} (whose CRD the crds layer brings) with {@code healthCheckExprs}, apps waits for
 * configs through a {@code readyExpr}. A sixth Kustomization, faulty, applies a Widget whose {@code failed}
 * expression holds. The test stands in for the widget controller: it writes each Widget's status subresource from its
 * {@code spec.health} ({@link #reportWidgetStatus}).
 */
class MonorepoArtifactGeneratorEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final String NS = "flux-system";
    static final List<String> LAYERS = List.of("namespaces", "crds", "controllers", "configs", "apps");

    static LocalHttpGitServer git;
    static LocalInstallation conflux;
    static Path repo;
    static ScheduledExecutorService widgetController;

    @BeforeAll
    static void start() throws Exception {
        Path work = PROJECT.resolve("e2e/target/monorepo-" + System.currentTimeMillis());
        repo = work.resolve("git/mono");
        FixtureRepositories.create(PROJECT.resolve("e2e/src/test/resources/monorepo"), repo, "main");
        git = LocalHttpGitServer.start(work.resolve("git"), null, null);
        // each service may take over two minutes to start on a CI host shared with other builds
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", git.url("")), null, Map.of(), Duration.ofMinutes(6)));
        Bootstrap.gitOps(conflux.client(), new Bootstrap.Source(NS, "flux-system",
                "https://git.conflux.local/mono", "main", "./clusters/mono", "1m"));
        widgetController = Executors.newSingleThreadScheduledExecutor();
        widgetController.scheduleWithFixedDelay(MonorepoArtifactGeneratorEndToEndTest::reportWidgetStatus, 1, 1,
                TimeUnit.SECONDS);
    }

    /**
     * What the widget controller of the controllers layer would do: every Widget without a status gets one from its
     * {@code spec.health} ({@code ok}: phase Running, Ready=True; otherwise phase Failed, Ready=False), written to the
     * status subresource. Until the CRD is applied there is nothing to do.
     */
    static void reportWidgetStatus() {
        try {
            for (GenericKubernetesResource w : conflux.client().genericKubernetesResources("example.conflux.io/v1", "Widget")
                    .inNamespace("mono-apps").list().getItems()) {
                if (w.getAdditionalProperties().get("status") != null) {
                    continue;
                }
                boolean ok = w.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec && "ok".equals(spec.get("health"));
                String status = ok
                        ? "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Provisioned\"}]}}"
                        : "{\"status\":{\"phase\":\"Failed\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"QuotaExceeded\"}]}}";
                conflux.client().genericKubernetesResources("example.conflux.io/v1", "Widget").inNamespace("mono-apps")
                        .withName(w.getMetadata().getName()).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), status);
            }
        } catch (KubernetesClientException e) {
            // the CRD or the namespace is not there yet: the next run tries again
        }
    }

    @AfterAll
    static void stop() {
        if (widgetController != null) {
            widgetController.shutdownNow();
        }
        if (conflux != null) {
            conflux.close();
        }
        if (git != null) {
            git.close();
        }
    }

    @Test
    void layersFromExternalArtifactsEndReadyInDependencyOrderAndAPushToAppsRendersOnlyApps() throws Exception {
        KubernetesClient client = conflux.client();
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String layer : LAYERS) {
                assertThat(ready(layer)).as(layer).startsWith("True");
            }
        });

        // each ExternalArtifact has source-controller's status, and its Kustomization applied that revision
        Map<String, String> revisions = new LinkedHashMap<>();
        for (String layer : LAYERS) {
            ExternalArtifact artifact = externalArtifact(layer);
            assertThat(artifact.getSpec().sourceRef().kind()).isEqualTo("ArtifactGenerator");
            assertThat(artifact.getSpec().sourceRef().name()).isEqualTo("mono");
            String digest = artifact.getStatus().artifact().digest();
            assertThat(digest).as(layer).matches("sha256:[0-9a-f]{64}");
            assertThat(artifact.getStatus().artifact().revision()).as(layer).isEqualTo("latest@" + digest);
            assertThat(artifact.getStatus().artifact().metadata()).as(layer)
                    .containsEntry("org.opencontainers.image.revision", "main@sha1:" + FixtureRepositories.head(repo));
            assertThat(Conditions.isReady(artifact.getStatus().conditions(), null)).as(layer).isTrue();
            assertThat(kustomization(layer).getStatus().lastAppliedRevision()).as(layer)
                    .isEqualTo(artifact.getStatus().artifact().revision());
            revisions.put(layer, artifact.getStatus().artifact().revision());
        }
        ArtifactGenerator generator = client.resources(ArtifactGenerator.class).inNamespace(NS).withName("mono").get();
        assertThat(Conditions.find(generator.getStatus().conditions(), Condition.READY).orElseThrow().reason())
                .isEqualTo("Succeeded");
        assertThat(generator.getStatus().inventory()).extracting(e -> e.name())
                .containsExactlyInAnyOrder("namespaces", "crds", "controllers", "configs", "apps", "faulty");

        // the objects of every layer, and nothing the copy rules leave out
        assertThat(client.namespaces().withName("mono-apps").get()).isNotNull();
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("widgets.example.conflux.io").get())
                .isNotNull();
        assertThat(client.apps().deployments().inNamespace("mono-apps").withName("widget-controller").get()).isNotNull();
        assertThat(widget("main")).isNotNull();
        assertThat(configMap("settings")).containsEntry("region", "eu-west-1");
        assertThat(client.configMaps().inNamespace("mono-apps").withName("not-copied").get()).isNull();
        assertThat(configMap("app")).containsEntry("version", "v1");

        // dependency order: each layer's first successful apply started once the layer below was Ready
        OffsetDateTime belowReady = null;
        for (String layer : LAYERS) {
            JsonNode success = ApplierHistory.firstSuccess(conflux, "Kustomization", NS, layer);
            OffsetDateTime started = OffsetDateTime.parse(success.path("startedAt").asText());
            if (belowReady != null) {
                assertThat(started).as("%s started after the layer below was Ready", layer).isAfterOrEqualTo(belowReady);
            }
            belowReady = ApplierHistory.end(success);
        }

        // a push that changes only the apps directory: only the apps artifact gets a new revision, only apps applies
        Map<String, Integer> attemptsBefore = new LinkedHashMap<>();
        for (String layer : LAYERS) {
            attemptsBefore.put(layer, ApplierHistory.attempts(conflux, "Kustomization", NS, layer).size());
        }
        Files.writeString(repo.resolve("deploy/apps/app.yaml"),
                Files.readString(repo.resolve("deploy/apps/app.yaml")).replace("version: v1", "version: v2"));
        String pushed = FixtureRepositories.commitAll(repo, "apps: version v2");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(configMap("app")).containsEntry("version", "v2");
            ExternalArtifact apps = externalArtifact("apps");
            assertThat(apps.getStatus().artifact().revision()).isNotEqualTo(revisions.get("apps"));
            assertThat(kustomization("apps").getStatus().lastAppliedRevision())
                    .isEqualTo(apps.getStatus().artifact().revision());
            assertThat(ready("apps")).startsWith("True");
            // every artifact shows the commit it was generated from, whether its content changed or not
            for (String layer : LAYERS) {
                assertThat(externalArtifact(layer).getStatus().artifact().metadata()).as(layer)
                        .containsEntry("org.opencontainers.image.revision", "main@sha1:" + pushed);
            }
        });
        for (String layer : LAYERS.subList(0, LAYERS.size() - 1)) {
            assertThat(externalArtifact(layer).getStatus().artifact().revision()).as(layer).isEqualTo(revisions.get(layer));
            assertThat(kustomization(layer).getStatus().lastAppliedRevision()).as(layer).isEqualTo(revisions.get(layer));
            assertThat(ApplierHistory.attempts(conflux, "Kustomization", NS, layer)).as("%s was not reconciled again", layer)
                    .hasSize(attemptsBefore.get(layer));
            assertThat(ready(layer)).as(layer).startsWith("True");
        }
        assertThat(ApplierHistory.attempts(conflux, "Kustomization", NS, "apps").size())
                .isGreaterThan(attemptsBefore.get("apps"));
    }

    @Test
    void aHealthCheckExprWhoseFailedExpressionHoldsMakesTheKustomizationNotReadyNamingObjectAndExpression() {
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(ready("faulty")).startsWith("False"));
        Condition ready = Conditions.find(kustomization("faulty").getStatus().conditions(), Condition.READY).orElseThrow();
        assertThat(ready.reason()).isEqualTo("HealthCheckFailed");
        assertThat(ready.message()).contains("Widget/mono-apps/broken", "'Failed'", "spec.healthCheckExprs[0].failed");
        assertThat(widget("broken")).isNotNull();
    }

    private static String ready(String name) {
        Kustomization k = kustomization(name);
        if (k == null || k.getStatus() == null) {
            return "missing " + name;
        }
        return Conditions.find(k.getStatus().conditions(), Condition.READY)
                .filter(c -> k.getMetadata().getGeneration() == null
                        || k.getMetadata().getGeneration().equals(k.getStatus().observedGeneration()))
                .map(c -> c.status() + " " + c.reason() + ": " + c.message())
                .orElse("no current Ready condition on " + name);
    }

    private static Kustomization kustomization(String name) {
        return conflux.client().resources(Kustomization.class).inNamespace(NS).withName(name).get();
    }

    private static ExternalArtifact externalArtifact(String name) {
        return conflux.client().resources(ExternalArtifact.class).inNamespace(NS).withName(name).get();
    }

    private static GenericKubernetesResource widget(String name) {
        return conflux.client().genericKubernetesResources("example.conflux.io/v1", "Widget").inNamespace("mono-apps")
                .withName(name).get();
    }

    private static Map<String, String> configMap(String name) {
        ConfigMap cm = conflux.client().configMaps().inNamespace("mono-apps").withName(name).get();
        return cm == null || cm.getData() == null ? Map.of() : cm.getData();
    }
}
