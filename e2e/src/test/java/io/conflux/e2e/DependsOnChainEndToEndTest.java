package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Seed 004's layered platform ({@code src/test/resources/platform}: namespaces → crds → crossplane → epis → security
 * → infrastructure → observability → apps), each layer a Kustomization that {@code dependsOn} the one below and
 * waits for its own health ({@code wait}, {@code healthChecks} with {@code name: '*'}), all rendered from one
 * revision at once. The in-memory cluster's workloads take {@link #ROLLOUT} to turn healthy, so a layer is Ready
 * only that long after it was applied: the applier must hold each layer until the one below is Ready and apply it as
 * soon as it is — driven by the Ready event, not by a timer. Prints the latency from a layer turning Ready to the
 * next one starting.
 */
class DependsOnChainEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> LAYERS = List.of("namespaces", "crds", "crossplane", "epis", "security", "infrastructure",
            "observability", "apps");
    static final Duration ROLLOUT = Duration.ofSeconds(1);
    /** The layers holding no workload: Namespaces, CustomResourceDefinitions. */
    static final java.util.Set<String> WITHOUT_ROLLOUT = java.util.Set.of("namespaces", "crds");
    /**
     * The applier's {@code conflux.applier.requeue-dependency} (Flux's {@code --requeue-dependency}), which is also the
     * layers' {@code retryInterval} ({@code clusters/platform/layers.yaml}): a dependent started by a timer rather
     * than by the dependency's Ready event would wait up to this long, so every wait must stay well under it.
     */
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(30);

    static LocalInstallation conflux;

    @BeforeAll
    static void start() {
        Path work = PROJECT.resolve("e2e/target/chain-" + System.currentTimeMillis());
        Path repo = work.resolve("git/platform");
        FixtureRepositories.create(PROJECT.resolve("e2e/src/test/resources/platform"), repo, "main");
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                Duration.ofMinutes(3), ROLLOUT));
        Bootstrap.gitOps(conflux.client(), new Bootstrap.Source("flux-system", "platform",
                "https://git.conflux.local/platform", "main", "./clusters/platform", "1m"));
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
    }

    @Test
    void layersApplyInDependencyOrderAsSoonAsTheLayerBelowIsHealthy() throws Exception {
        KubernetesClient client = conflux.client();
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String layer : LAYERS) {
                Kustomization k = client.resources(Kustomization.class).inNamespace("flux-system").withName(layer).get();
                assertThat(k).as(layer).isNotNull();
                assertThat(k.getStatus()).as(layer).isNotNull();
                assertThat(Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration())).as(layer).isTrue();
            }
        });
        assertThat(client.apps().deployments().inNamespace("apps").withName("podinfo").get().getStatus().getAvailableReplicas())
                .isEqualTo(2);
        assertThat(client.apps().daemonSets().inNamespace("observability").withName("node-exporter").get()).isNotNull();

        List<Long> latencies = new ArrayList<>();
        OffsetDateTime belowReady = null;
        for (String layer : LAYERS) {
            JsonNode success = ApplierHistory.firstSuccess(conflux, "Kustomization", "flux-system", layer);
            OffsetDateTime started = OffsetDateTime.parse(success.path("startedAt").asText());
            if (belowReady != null) {
                assertThat(started).as("%s started after the layer below was Ready", layer).isAfterOrEqualTo(belowReady);
                Duration wait = Duration.between(belowReady, started);
                assertThat(wait).as("%s started by the Ready event of the layer below, not by a %s timer", layer,
                        RETRY_INTERVAL).isLessThan(RETRY_INTERVAL.dividedBy(3));
                latencies.add(wait.toMillis());
            }
            // Health is part of the attempt: no layer is Ready before its workloads had their rollout time. Namespaces
            // and CRDs have no rollout: the API server makes a CRD Established itself, at once, as kube-apiserver does
            assertThat(success.path("durationMs").asLong()).as("%s waited for health", layer)
                    .isGreaterThanOrEqualTo(WITHOUT_ROLLOUT.contains(layer) ? 0 : ROLLOUT.toMillis() / 2);
            belowReady = ApplierHistory.end(success);
        }
        System.out.println("dependsOn latency per layer (layer below Ready → layer started), ms: " + latencies
                + "; max " + latencies.stream().mapToLong(Long::longValue).max().orElse(0)
                + " ms (Flux: dependency requeue every 30000 ms by default)");
    }
}
