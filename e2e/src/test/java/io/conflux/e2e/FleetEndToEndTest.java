package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.WorkloadController;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One management plane, two target clusters (issue #4): the monorepo fixture flux2-kustomize-helm-example with
 * {@code clusters/staging} driving one in-memory cluster and {@code clusters/production} another, through the hub
 * configuration of {@code src/test/resources/hub/cluster.yaml} (Flux's hub-and-spoke pattern: kubeconfig Secrets,
 * {@code spec.kubeConfig}, {@code targetNamespace}, patches). Shows infra-controllers → infra-configs → apps applied
 * in that order on each cluster, each waiting for the layer below, and the JSON 6902 patch of
 * {@code clusters/staging/infrastructure.yaml} landing on the staging cluster only (the fixture's staging value equals
 * the base's, so the second test commits a different one). Charts are served by a local Helm
 * repository: podinfo's real chart from the fixtures, and stand-ins for cert-manager and ingress-nginx
 * ({@code src/test/resources/charts}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final Path FIXTURES = PROJECT.resolve("../shared/fixtures/repos").normalize();
    static final Path CHARTS = PROJECT.resolve("e2e/src/test/resources/charts");
    static final List<String> CLUSTERS = List.of("staging", "production");
    static final List<String> LAYERS = List.of("infra-controllers", "infra-configs", "apps");
    static final ResourceDefinitionContext CLUSTER_ISSUER = new ResourceDefinitionContext.Builder()
            .withGroup("cert-manager.io").withVersion("v1").withKind("ClusterIssuer").withPlural("clusterissuers")
            .withNamespaced(false).build();

    static final String STAGING_ACME = "https://acme-staging-v02.api.letsencrypt.org/directory";
    static final String PRODUCTION_ACME = "https://acme-v02.api.letsencrypt.org/directory";

    static LocalInstallation conflux;
    static LocalChartRepository charts;
    static Path repository;
    static final Map<String, InMemoryKubernetes> targets = new LinkedHashMap<>();
    /** The clusters' kubelets, as far as health goes: workloads turn ready, Jobs complete (HelmReleases wait for them). */
    static final List<WorkloadController> workloads = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        Path work = PROJECT.resolve("e2e/target/fleet-" + System.currentTimeMillis());
        Path mirror = work.resolve("git/github.com").toAbsolutePath();
        repository = mirror.resolve("fluxcd/flux2-kustomize-helm-example");
        FixtureRepositories.create(FIXTURES.resolve("flux2-kustomize-helm-example"), repository, "main");
        charts = LocalChartRepository.start(FIXTURES.resolve("podinfo/charts/podinfo"), CHARTS.resolve("cert-manager"),
                CHARTS.resolve("ingress-nginx"));
        for (String cluster : CLUSTERS) {
            targets.put(cluster, InMemoryKubernetes.start());
            workloads.add(WorkloadController.start(targets.get(cluster).client(), Duration.ZERO));
        }
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://github.com/", mirror.toUri().toString()), null, Map.of(), Duration.ofMinutes(3)));
        KubernetesClient hub = conflux.client();
        String template = Files.readString(PROJECT.resolve("e2e/src/test/resources/hub/cluster.yaml"));
        for (String cluster : CLUSTERS) {
            hub.load(new ByteArrayInputStream(template.replace("${cluster}", cluster)
                    .replace("${charts}", charts.url()).getBytes(StandardCharsets.UTF_8))).serverSideApply();
            Secret kubeconfig = new SecretBuilder().withNewMetadata().withName("cluster-kubeconfig").withNamespace(cluster)
                    .endMetadata().addToData("value", Base64.getEncoder().encodeToString(
                            kubeconfigOf(targets.get(cluster), work.resolve(cluster + ".kubeconfig"))))
                    .build();
            hub.resource(kubeconfig).serverSideApply();
        }
        hub.resource("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: flux-system, namespace: flux-system}
                spec:
                  interval: 1m
                  url: https://github.com/fluxcd/flux2-kustomize-helm-example
                  ref: {branch: main}
                """).serverSideApply();
    }

    private static byte[] kubeconfigOf(InMemoryKubernetes cluster, Path file) {
        try {
            return Files.readAllBytes(cluster.writeKubeconfig(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
        workloads.forEach(WorkloadController::close);
        targets.values().forEach(InMemoryKubernetes::close);
        if (charts != null) {
            charts.close();
        }
    }

    @Test
    @Order(1)
    void eachClusterGetsItsOverlayLayerByLayer() throws Exception {
        KubernetesClient hub = conflux.client();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String cluster : CLUSTERS) {
                for (String layer : LAYERS) {
                    Kustomization k = hub.resources(Kustomization.class).inNamespace(cluster).withName(layer).get();
                    assertThat(k).as("%s/%s", cluster, layer).isNotNull();
                    assertThat(k.getStatus()).as("%s/%s", cluster, layer).isNotNull();
                    Condition ready = Conditions.find(k.getStatus().conditions(), Condition.READY).orElseThrow();
                    assertThat(ready.status()).as("%s/%s: %s", cluster, layer, ready.message()).isEqualTo("True");
                }
                for (String release : List.of("cert-manager", "ingress-nginx", "podinfo")) {
                    HelmRelease hr = hub.resources(HelmRelease.class).inNamespace(cluster).withName(release).get();
                    assertThat(hr).as("%s/%s", cluster, release).isNotNull();
                    assertThat(hr.getStatus()).as("%s/%s", cluster, release).isNotNull();
                    Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
                    assertThat(ready.status()).as("%s/%s: %s", cluster, release, ready.message()).isEqualTo("True");
                }
            }
        });

        for (String cluster : CLUSTERS) {
            KubernetesClient target = targets.get(cluster).client();
            // With spec.targetNamespace and no releaseName, Flux names a release <targetNamespace>-<name>.
            assertThat(target.apps().deployments().inNamespace("cert-manager").withName("cert-manager-cert-manager").get())
                    .as("cert-manager on %s", cluster).isNotNull();
            assertThat(target.services().inNamespace("ingress-nginx").withName("ingress-nginx-ingress-nginx-controller").get()
                    .getSpec().getType()).as("ingress-nginx values on %s", cluster).isEqualTo("NodePort");
            assertThat(acmeServer(cluster)).as("ACME server on %s", cluster)
                    .isEqualTo(cluster.equals("staging") ? STAGING_ACME : PRODUCTION_ACME);
            Ingress ingress = target.network().v1().ingresses().inNamespace("podinfo").withName("podinfo").get();
            assertThat(ingress.getSpec().getRules()).singleElement()
                    .satisfies(r -> assertThat(r.getHost()).isEqualTo("podinfo." + cluster));
            // The hub keeps the Flux objects and no workload.
            assertThat(hub.apps().deployments().inNamespace("podinfo").withName("podinfo").get()).isNull();
            assertThat(hub.namespaces().withName("cert-manager").get()).isNull();

            OffsetDateTime belowReady = null;
            for (String layer : LAYERS) {
                JsonNode success = ApplierHistory.firstSuccess(conflux, "Kustomization", cluster, layer);
                if (belowReady != null) {
                    assertThat(OffsetDateTime.parse(success.path("startedAt").asText()))
                            .as("%s: %s started after the layer below was Ready", cluster, layer).isAfterOrEqualTo(belowReady);
                }
                belowReady = ApplierHistory.end(success);
            }
        }
    }

    /**
     * The fixture's staging patch writes the URL the base already has, so the first test cannot tell it was applied.
     * A commit that changes only {@code clusters/staging/infrastructure.yaml}'s JSON 6902 patch must reach the staging
     * cluster's ClusterIssuer and leave production's as it was, although production applies the new revision too.
     */
    @Test
    @Order(2)
    void theStagingPatchLandsOnStagingOnly() throws Exception {
        String edited = STAGING_ACME.replace("/directory", "/directory-conflux-e2e");
        Path staging = repository.resolve("clusters/staging/infrastructure.yaml");
        String text = Files.readString(staging);
        assertThat(text).contains("value: " + STAGING_ACME);
        Files.writeString(staging, text.replace("value: " + STAGING_ACME, "value: " + edited));
        String sha = FixtureRepositories.commitAll(repository, "staging: another ACME directory");
        // What `flux reconcile source git flux-system` does: ask for a fetch now instead of waiting for the interval.
        conflux.client().resources(GitRepository.class).inNamespace("flux-system").withName("flux-system")
                .patch(PatchContext.of(PatchType.JSON_MERGE), """
                        {"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": "%s"}}}"""
                        .formatted(OffsetDateTime.now()));

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Kustomization configs = conflux.client().resources(Kustomization.class).inNamespace("staging")
                    .withName("infra-configs").get();
            assertThat(configs.getStatus().lastAppliedRevision()).isEqualTo("main@sha1:" + sha);
            assertThat(acmeServer("staging")).isEqualTo(edited);
        });
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(conflux.client().resources(Kustomization.class).inNamespace("production")
                        .withName("infra-configs").get().getStatus().lastAppliedRevision()).isEqualTo("main@sha1:" + sha));
        assertThat(acmeServer("production")).as("production keeps its own patch").isEqualTo(PRODUCTION_ACME);
    }

    /** @return {@code spec.acme.server} of the ClusterIssuer {@code letsencrypt} on the target cluster {@code cluster} */
    private static Object acmeServer(String cluster) {
        GenericKubernetesResource issuer = targets.get(cluster).client().genericKubernetesResources(CLUSTER_ISSUER)
                .withName("letsencrypt").get();
        assertThat(issuer).as("ClusterIssuer on %s", cluster).isNotNull();
        Map<?, ?> acme = (Map<?, ?>) ((Map<?, ?>) issuer.getAdditionalProperties().get("spec")).get("acme");
        return acme.get("server");
    }
}
