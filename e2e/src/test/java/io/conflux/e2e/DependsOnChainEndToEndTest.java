package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 004's layered platform (namespaces → crds → crossplane → epis → security → infrastructure → observability →
 * apps), each layer a Kustomization that {@code dependsOn} the one below, all rendered from one revision at once:
 * the applier must hold each layer until the one below is Ready and apply it as soon as it is — driven by the Ready
 * event, not by a timer. Prints the latency from a layer turning Ready to the next one applied.
 */
class DependsOnChainEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> LAYERS = List.of("namespaces", "crds", "crossplane", "epis", "security", "infrastructure",
            "observability", "apps");

    static LocalInstallation conflux;

    @BeforeAll
    static void start() throws Exception {
        Path work = PROJECT.resolve("e2e/target/chain-" + System.currentTimeMillis());
        Path seed = work.resolve("seed");
        Path repo = work.resolve("git/platform");
        StringBuilder layers = new StringBuilder();
        for (int i = 0; i < LAYERS.size(); i++) {
            String layer = LAYERS.get(i);
            layers.append("""
                    ---
                    apiVersion: kustomize.toolkit.fluxcd.io/v1
                    kind: Kustomization
                    metadata: {name: %s, namespace: flux-system}
                    spec:
                      interval: 10m
                      path: ./layers/%s
                      prune: true
                      sourceRef: {kind: GitRepository, name: platform}
                    """.formatted(layer, layer));
            if (i > 0) {
                layers.append("  dependsOn:\n    - name: ").append(LAYERS.get(i - 1)).append('\n');
            }
            Files.createDirectories(seed.resolve("layers/" + layer));
            Files.writeString(seed.resolve("layers/" + layer + "/layer.yaml"), """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: layer-%s, namespace: default}
                    data: {layer: "%d"}
                    """.formatted(layer, i));
        }
        Files.createDirectories(seed.resolve("clusters/platform"));
        Files.writeString(seed.resolve("clusters/platform/layers.yaml"), layers.toString());
        FixtureRepositories.create(seed, repo, "main");

        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work, Map.of(), null, Map.of(),
                Duration.ofMinutes(3)));
        Bootstrap.gitOps(conflux.client(), new Bootstrap.Source("flux-system", "platform", repo.toUri().toString(),
                "main", "./clusters/platform", "1m"));
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
    }

    @Test
    void layersApplyInDependencyOrderAsSoonAsTheLayerBelowIsReady() throws Exception {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String layer : LAYERS) {
                Kustomization k = conflux.client().resources(Kustomization.class).inNamespace("flux-system").withName(layer).get();
                assertThat(k).isNotNull();
                assertThat(k.getStatus()).as(layer).isNotNull();
                assertThat(Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration())).as(layer).isTrue();
            }
        });
        List<OffsetDateTime> appliedAt = new ArrayList<>();
        for (String layer : LAYERS) {
            appliedAt.add(firstSuccessEnd(layer));
            assertThat(conflux.client().configMaps().inNamespace("default").withName("layer-" + layer).get()).isNotNull();
        }
        List<Long> latencies = new ArrayList<>();
        for (int i = 1; i < LAYERS.size(); i++) {
            assertThat(appliedAt.get(i)).as("%s applied after %s", LAYERS.get(i), LAYERS.get(i - 1))
                    .isAfterOrEqualTo(appliedAt.get(i - 1));
            latencies.add(Duration.between(appliedAt.get(i - 1), appliedAt.get(i)).toMillis());
        }
        System.out.println("dependsOn latency per layer (dependency applied Ready → dependent applied), ms: " + latencies
                + "; max " + latencies.stream().mapToLong(Long::longValue).max().orElse(0) + " ms (Flux default requeue: 30000 ms)");
    }

    /** @return the end of the layer's first successful reconciliation, from the applier's history API */
    private static OffsetDateTime firstSuccessEnd(String layer) throws Exception {
        String url = "http://127.0.0.1:" + conflux.service("applier").httpPort() + "/api/history/Kustomization/flux-system/" + layer + "?limit=50";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        OffsetDateTime first = null;
        for (JsonNode attempt : new ObjectMapper().readTree(response.body())) {
            if (attempt.path("ready").asBoolean()) {
                OffsetDateTime end = OffsetDateTime.parse(attempt.path("startedAt").asText())
                        .plus(Duration.ofMillis(attempt.path("durationMs").asLong()));
                if (first == null || end.isBefore(first)) {
                    first = end;
                }
            }
        }
        assertThat(first).as("a successful reconciliation of %s", layer).isNotNull();
        return first;
    }
}
