package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.conflux.cli.local.EdgeSiteExample;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The edge-site apps repository's HelmReleases with their charts available (issue #5): goldpinger's HelmRelease
 * ({@code ecs-apps-example/sites/new_york/goldpinger-helm.yaml}, {@code helm.toolkit.fluxcd.io/v2beta1}, no version:
 * the newest chart) with a goldpinger chart served by a local Helm repository, its HelmRepository URL replaced by a
 * Kustomization patch as an air-gapped site would point it at a mirror; then podinfo's chart taken straight from the
 * podinfo GitRepository that the same tree declares, with post-renderers and {@code valuesFrom} (an edited ConfigMap
 * upgrades the release at its next interval, as helm-controller does on a new values digest). {@link EdgeSiteEndToEndTest} covers the first failure to reach
 * the real chart repository; here the URL goes back to the unreachable one after a successful install.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldpingerHelmReleaseEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final Path FIXTURES = PROJECT.resolve("../shared/fixtures/repos").normalize();
    static final Path GOLDPINGER_CHART = PROJECT.resolve("e2e/src/test/resources/charts/goldpinger");
    static final String UPSTREAM = "https://okgolove.github.io/helm-charts/";
    static final Duration CONVERGE = Duration.ofMinutes(4);

    static LocalInstallation conflux;
    static LocalChartRepository charts;
    static EdgeSiteExample site;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        Path work = PROJECT.resolve("e2e/target/goldpinger-" + System.currentTimeMillis());
        site = EdgeSiteExample.create(FIXTURES, work);
        charts = LocalChartRepository.start(GOLDPINGER_CHART);
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work, site.urlRewrites(), null, Map.of(),
                Duration.ofMinutes(3)));
        client = conflux.client();
        // the apps tree's base holds a VirtualMachine: the platform CRDs must exist for it to apply
        EdgeSiteExample.installPlatform(client, PROJECT);
        client.resource("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: new-york-apps, namespace: flux-system}
                spec:
                  interval: 10m
                  path: ./sites/new_york
                  prune: true
                  sourceRef: {kind: GitRepository, name: ecs-apps}
                  patches:
                    - patch: |
                        - op: replace
                          path: /spec/url
                          value: %s
                      target: {kind: HelmRepository, name: okgolove}
                """.formatted(charts.url())).serverSideApply();
        client.resource("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: ecs-apps, namespace: flux-system}
                spec:
                  interval: 10s
                  url: https://github.com/saqebakhter/ecs-apps-example.git
                  ref: {branch: main}
                """).serverSideApply();
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
        if (charts != null) {
            charts.close();
        }
    }

    @Test
    @Order(1)
    void goldpingerInstallsTheNewestChartWithTheReleaseValues() {
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = helmRelease("goldpinger", "okgolove");
            Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).as(ready.message()).isEqualTo("True");
            assertThat(hr.getStatus().lastAttemptedRevision()).isEqualTo("6.1.3");
        });
        assertThat(charts.requestCount("goldpinger-6.1.3.tgz")).isPositive();

        DaemonSet daemonSet = client.apps().daemonSets().inNamespace("goldpinger").withName("goldpinger").get();
        assertThat(daemonSet).as("DaemonSet goldpinger/goldpinger").isNotNull();
        assertThat(daemonSet.getMetadata().getLabels())
                .containsEntry("helm.sh/chart", "goldpinger-6.1.3")
                .containsEntry("app.kubernetes.io/instance", "goldpinger")
                .containsEntry("helm.toolkit.fluxcd.io/name", "okgolove")
                .containsEntry("helm.toolkit.fluxcd.io/namespace", "goldpinger");
        var pod = daemonSet.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("goldpinger");
        assertThat(pod.getContainers()).singleElement()
                .satisfies(c -> assertThat(c.getImage()).isEqualTo("bloomberg/goldpinger:3.9.0"));

        Service service = client.services().inNamespace("goldpinger").withName("goldpinger").get();
        assertThat(service.getSpec().getType()).isEqualTo("NodePort");
        assertThat(client.serviceAccounts().inNamespace("goldpinger").withName("goldpinger").get()).isNotNull();
        assertThat(client.rbac().clusterRoles().withName("goldpinger").get().getRules())
                .anySatisfy(r -> assertThat(r.getResources()).contains("pods"));
        ClusterRoleBinding binding = client.rbac().clusterRoleBindings().withName("goldpinger").get();
        assertThat(binding.getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getNamespace() + "/" + s.getName()).isEqualTo("goldpinger/goldpinger"));
    }

    @Test
    @Order(2)
    void aChartFromTheGitRepositoryFollowsItsCommitsUnderTheRevisionStrategy() throws Exception {
        String first = FixtureRepositories.head(site.podinfoRepo());
        client.resource("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: podinfo-helm}
                """).serverSideApply();
        client.resource("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: podinfo-ui, namespace: podinfo-helm}
                data: {message: greetings from new york}
                """).serverSideApply();
        client.resource("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: podinfo-helm}
                spec:
                  interval: 15s
                  chart:
                    spec:
                      chart: ./charts/podinfo
                      reconcileStrategy: Revision
                      sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                  values:
                    replicaCount: 2
                  valuesFrom:
                    - {kind: ConfigMap, name: podinfo-ui, valuesKey: message, targetPath: ui.message}
                    - {kind: Secret, name: podinfo-overrides, optional: true}
                  postRenderers:
                    - kustomize:
                        patches:
                          - target: {kind: Deployment, name: podinfo}
                            patch: |
                              - op: add
                                path: /metadata/annotations
                                value: {edge-site: new-york}
                """).serverSideApply();

        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = helmRelease("podinfo-helm", "podinfo");
            Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).as(ready.message()).isEqualTo("True");
            assertThat(hr.getStatus().lastAttemptedRevision()).isEqualTo("6.14.1+" + first.substring(0, 12));
        });
        Deployment deployment = client.apps().deployments().inNamespace("podinfo-helm").withName("podinfo").get();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getMetadata().getAnnotations()).containsEntry("edge-site", "new-york");
        assertThat(deployment.getMetadata().getLabels()).containsEntry("helm.sh/chart", "podinfo-6.14.1_" + first.substring(0, 12));
        assertThat(env(deployment, "PODINFO_UI_MESSAGE")).isEqualTo("greetings from new york");

        // a commit that leaves Chart.yaml's version alone: the GitRepository's poll brings it, the release follows
        Path values = site.podinfoRepo().resolve("charts/podinfo/values.yaml");
        Files.writeString(values, Files.readString(values).replace("logLevel: info", "logLevel: debug"));
        String second = FixtureRepositories.commitAll(site.podinfoRepo(), "Debug logs by default");
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = helmRelease("podinfo-helm", "podinfo");
            assertThat(hr.getStatus().lastAttemptedRevision()).isEqualTo("6.14.1+" + second.substring(0, 12));
            Deployment now = client.apps().deployments().inNamespace("podinfo-helm").withName("podinfo").get();
            assertThat(now.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand()).contains("--level=debug");
        });
    }

    @Test
    @Order(3)
    void anEditedValuesFromConfigMapUpgradesTheReleaseAtItsNextInterval() {
        client.configMaps().inNamespace("podinfo-helm").withName("podinfo-ui")
                .edit(cm -> {
                    cm.setData(Map.of("message", "greetings from the edge"));
                    return cm;
                });
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(env(
                client.apps().deployments().inNamespace("podinfo-helm").withName("podinfo").get(), "PODINFO_UI_MESSAGE"))
                .isEqualTo("greetings from the edge"));
    }

    @Test
    @Order(4)
    void backOnTheUnreachableUrlTheReleaseFailsNamingItAndKeepsWhatItInstalled() {
        client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                .inNamespace("flux-system").withName("new-york-apps")
                .edit(k -> {
                    ((Map<?, ?>) k.getAdditionalProperties().get("spec")).remove("patches");
                    return k;
                });

        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(client.resources(io.conflux.model.source.HelmRepository.class).inNamespace("goldpinger")
                    .withName("okgolove").get().getSpec().url()).isEqualTo(UPSTREAM);
            HelmRelease hr = helmRelease("goldpinger", "okgolove");
            Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.message()).contains(UPSTREAM);
        });
        // Flux's HelmRelease v2 status has no lastAppliedRevision: the release attempted last (6.1.3) is still the one in place
        HelmRelease hr = helmRelease("goldpinger", "okgolove");
        assertThat(hr.getStatus().lastAttemptedRevision()).isEqualTo("6.1.3");
        assertThat(client.apps().daemonSets().inNamespace("goldpinger").withName("goldpinger").get()).isNotNull();
        assertThat(client.services().inNamespace("goldpinger").withName("goldpinger").get().getSpec().getType())
                .isEqualTo("NodePort");
    }

    private static String env(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> name.equals(e.getName())).map(e -> e.getValue()).findFirst().orElse(null);
    }

    private static HelmRelease helmRelease(String namespace, String name) {
        HelmRelease hr = client.resources(HelmRelease.class).inNamespace(namespace).withName(name).get();
        assertThat(hr).as("HelmRelease %s/%s", namespace, name).isNotNull();
        assertThat(hr.getStatus()).as("status of HelmRelease %s/%s", namespace, name).isNotNull();
        return hr;
    }
}
