package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.HookedChart;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * HelmReleases from a Helm repository (issue #5): the monorepo fixture's {@code apps/staging} (podinfo's HelmRelease
 * with the staging values patch) with podinfo's real chart served by a local Helm repository. The HelmRepository URL
 * is pointed at the local repository by a Flux-level JSON 6902 patch of the Kustomization, as an air-gapped site
 * would point it at a mirror.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmReleaseEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final Path FIXTURES = PROJECT.resolve("../shared/fixtures/repos").normalize();
    static final Duration CONVERGE = Duration.ofMinutes(4);
    static final Path HELM = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin/helm");

    static LocalInstallation conflux;
    static LocalChartRepository charts;
    static KubernetesClient client;
    static Path repo;

    @BeforeAll
    static void start() {
        Path work = PROJECT.resolve("e2e/target/helm-" + System.currentTimeMillis());
        Path mirror = work.resolve("git/github.com").toAbsolutePath();
        repo = mirror.resolve("fluxcd/flux2-kustomize-helm-example");
        FixtureRepositories.create(FIXTURES.resolve("flux2-kustomize-helm-example"), repo, "main");
        charts = LocalChartRepository.start(FIXTURES.resolve("podinfo/charts/podinfo"));
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://github.com/", mirror.toUri().toString()), null, Map.of(), Duration.ofMinutes(3)));
        client = conflux.client();
        client.resource("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: podinfo-mirror, namespace: flux-system}
                spec:
                  interval: 10m
                  path: ./apps/staging
                  prune: true
                  sourceRef: {kind: GitRepository, name: flux2}
                  patches:
                    - patch: |
                        - op: replace
                          path: /spec/url
                          value: %s
                      target: {kind: HelmRepository, name: podinfo}
                """.formatted(charts.url())).serverSideApply();
        client.resource("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: flux2, namespace: flux-system}
                spec:
                  interval: 10s
                  url: https://github.com/fluxcd/flux2-kustomize-helm-example
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
    void helmReleaseInstallsTheChartWithTheStagingValues() {
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = client.resources(HelmRelease.class).inNamespace("podinfo").withName("podinfo").get();
            assertThat(hr).isNotNull();
            assertThat(hr.getStatus()).isNotNull();
            Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).as(ready.message()).isEqualTo("True");
            assertThat(hr.getStatus().lastAttemptedRevision()).matches("\\d+\\.\\d+\\.\\d+.*");
        });
        assertThat(client.apps().deployments().inNamespace("podinfo").withName("podinfo").get()).isNotNull();
        Ingress ingress = client.network().v1().ingresses().inNamespace("podinfo").withName("podinfo").get();
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(r -> assertThat(r.getHost()).isEqualTo("podinfo.staging"));
        assertThat(client.apps().deployments().inNamespace("podinfo").withName("podinfo-redis").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith("redis:7.0.6");
    }

    @Test
    @Order(2)
    void aValuesChangeInGitUpgradesTheRelease() throws Exception {
        Path values = repo.resolve("apps/staging/podinfo-values.yaml");
        Files.writeString(values, Files.readString(values).replace("podinfo.staging", "podinfo.staging.example.com"));
        FixtureRepositories.commitAll(repo, "Rename the staging host");
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Ingress ingress = client.network().v1().ingresses().inNamespace("podinfo").withName("podinfo").get();
            assertThat(ingress.getSpec().getRules()).singleElement()
                    .satisfies(r -> assertThat(r.getHost()).isEqualTo("podinfo.staging.example.com"));
        });
        // A release's history is kept like a Kustomization's, with helm-controller's reasons: installed, then upgraded.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(ApplierHistory.attempts(conflux, "HelmRelease", "podinfo", "podinfo"))
                        .filteredOn(a -> a.path("ready").asBoolean())
                        .extracting(a -> a.path("reason").asText())
                        .contains("InstallSucceeded", "UpgradeSucceeded"));
    }

    /**
     * Issue #15: the reference helm ({@code helm list -A}, {@code helm history}, {@code helm get values}), run against
     * the in-memory API server's kubeconfig, shows the release the services installed and upgraded: revision 1
     * superseded by the deployed upgrade, with the HelmRelease's values (the staging patch and the host changed in Git).
     */
    @Test
    @Order(3)
    void theHelmCliShowsTheInstalledAndUpgradedRelease() throws Exception {
        assumeTrue(Files.isExecutable(HELM), "reference helm not installed at " + HELM
                + " (tools/install-reference-tools.sh; .ci/run installs it)");
        JsonNode history = helmJson("history", "podinfo", "-n", "podinfo");
        assertThat(history.size()).as(history.toString()).isGreaterThanOrEqualTo(2);
        JsonNode first = history.get(0);
        JsonNode last = history.get(history.size() - 1);
        assertThat(first.path("revision").asInt()).isEqualTo(1);
        assertThat(first.path("status").asText()).isEqualTo("superseded");
        assertThat(first.path("description").asText()).isEqualTo("Install complete");
        assertThat(last.path("status").asText()).isEqualTo("deployed");
        assertThat(last.path("description").asText()).isEqualTo("Upgrade complete");
        assertThat(last.path("chart").asText()).startsWith("podinfo-");
        for (int i = 1; i < history.size() - 1; i++) {
            assertThat(history.get(i).path("status").asText()).as(history.toString()).isIn("superseded", "failed");
        }

        JsonNode list = helmJson("list", "-A");
        JsonNode podinfo = null;
        for (JsonNode release : list) {
            if (release.path("name").asText().equals("podinfo") && release.path("namespace").asText().equals("podinfo")) {
                podinfo = release;
            }
        }
        assertThat(podinfo).as(list.toString()).isNotNull();
        assertThat(podinfo.path("revision").asText()).isEqualTo(last.path("revision").asText());
        assertThat(podinfo.path("status").asText()).isEqualTo("deployed");
        assertThat(podinfo.path("chart").asText()).isEqualTo(last.path("chart").asText());

        JsonNode values = helmJson("get", "values", "podinfo", "-n", "podinfo");
        assertThat(values.path("ingress").path("className").asText()).isEqualTo("nginx");
        assertThat(values.path("ingress").path("hosts").get(0).path("host").asText()).isEqualTo("podinfo.staging.example.com");
        assertThat(values.path("redis").path("tag").asText()).isEqualTo("7.0.6");
        JsonNode installed = helmJson("get", "values", "podinfo", "-n", "podinfo", "--revision", "1");
        assertThat(installed.path("ingress").path("hosts").get(0).path("host").asText()).isEqualTo("podinfo.staging");

        // the revisions' manifests, as `helm get manifest` (and the helm-diff plugin, which reads the same records)
        // compares them: the upgrade changed the Ingress host and nothing else of the Ingress
        String firstManifest = helm("get", "manifest", "podinfo", "-n", "podinfo", "--revision", "1");
        String lastManifest = helm("get", "manifest", "podinfo", "-n", "podinfo");
        assertThat(firstManifest).contains("kind: Ingress\n", "- host: podinfo.staging\n")
                .doesNotContain("podinfo.staging.example.com");
        assertThat(lastManifest).contains("kind: Ingress\n", "- host: podinfo.staging.example.com\n");
    }

    /**
     * Issue #15: helm-controller's default {@code driftDetection.mode} is {@code disabled}: a replica count another
     * manager set (an HPA scaling the Deployment) survives a reconcile of the release, here one asked for as
     * {@code flux reconcile helmrelease} asks ({@code reconcile.fluxcd.io/requestedAt}).
     */
    @Test
    @Order(4)
    void withDriftDetectionDisabledAReplicaCountSetByAnotherManagerIsLeftAlone() {
        client.apps().deployments().inNamespace("podinfo").withName("podinfo")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"replicas\": 3}}");
        String requestedAt = OffsetDateTime.now().toString();
        client.resources(HelmRelease.class).inNamespace("podinfo").withName("podinfo")
                .patch(PatchContext.of(PatchType.JSON_MERGE), """
                        {"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": "%s"}}}""".formatted(requestedAt));
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = client.resources(HelmRelease.class).inNamespace("podinfo").withName("podinfo").get();
            assertThat(hr.getStatus().lastHandledReconcileAt()).isEqualTo(requestedAt);
            assertThat(Conditions.isReady(hr.getStatus().conditions(), hr.getMetadata().getGeneration())).isTrue();
        });
        assertThat(client.apps().deployments().inNamespace("podinfo").withName("podinfo").get().getSpec().getReplicas())
                .isEqualTo(3);
    }

    @Test
    @Order(5)
    void removingTheReleaseFromGitUninstallsItsObjects() throws Exception {
        Path base = repo.resolve("apps/base/podinfo/kustomization.yaml");
        Files.writeString(base, Files.readString(base).replace("  - release.yaml\n", ""));
        Files.delete(repo.resolve("apps/staging/podinfo-values.yaml"));
        Path staging = repo.resolve("apps/staging/kustomization.yaml");
        Files.writeString(staging, """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: podinfo
                resources:
                  - ../base/podinfo
                """);
        FixtureRepositories.commitAll(repo, "Remove podinfo's release");
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(client.resources(HelmRelease.class).inNamespace("podinfo").withName("podinfo").get()).isNull();
            assertThat(client.apps().deployments().inNamespace("podinfo").withName("podinfo").get()).isNull();
            assertThat(client.network().v1().ingresses().inNamespace("podinfo").withName("podinfo").get()).isNull();
        });
        Kustomization k = client.resources(Kustomization.class).inNamespace("flux-system").withName("podinfo-mirror").get();
        assertThat(Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration())).isTrue();
    }

    @Test
    @Order(6)
    void aReleaseWhoseKubeconfigRunsACommandIsRefusedAndNothingIsInstalled() throws Exception {
        Path marker = PROJECT.resolve("e2e/target/helm-kubeconfig-exec-" + System.nanoTime());
        String kubeconfig = Files.readString(conflux.kubeconfig()).replaceFirst("(?s)users:.*", """
                users:
                - name: %s
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: sh
                      args: ['-c', 'touch %s']
                """.formatted(InMemoryKubernetes.CONTEXT, marker));
        client.resource("""
                apiVersion: v1
                kind: Secret
                metadata: {name: exec-kubeconfig, namespace: podinfo}
                data: {value: %s}
                """.formatted(Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))).serverSideApply();
        client.resource("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: remote, namespace: podinfo}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: podinfo
                      sourceRef: {kind: HelmRepository, name: podinfo}
                  kubeConfig:
                    secretRef: {name: exec-kubeconfig}
                """).serverSideApply();
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = client.resources(HelmRelease.class).inNamespace("podinfo").withName("remote").get();
            assertThat(hr.getStatus()).isNotNull();
            Condition ready = Conditions.find(hr.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.message()).contains("kubeconfig Secret 'podinfo/exec-kubeconfig' key 'value':"
                    + " users[0].user.exec runs a command in the renderer; refused");
        });
        assertThat(marker).doesNotExist();
        assertThat(client.apps().deployments().inNamespace("podinfo").withName("remote-podinfo").get()).isNull();
    }

    /**
     * Issue #15: podinfo's test hooks run on the cluster with {@code spec.test.enable} and are reported as
     * helm-controller does: {@code TestSuccess=True TestSucceeded} and the test Pods in the snapshot's {@code testHooks};
     * with {@code faults.testFail} (a test Pod running {@code exit 1}, Failed as a kubelet reports it)
     * {@code TestSuccess=False TestFailed}, the release {@code Ready} only with {@code test.ignoreFailures}.
     */
    @Test
    @Order(7)
    void podinfosTestHooksRunOnTheClusterAndAreReported() {
        for (String name : new String[] {"tested", "tested-fault", "tested-ignored"}) {
            client.resource("""
                    apiVersion: helm.toolkit.fluxcd.io/v2
                    kind: HelmRelease
                    metadata: {name: %s, namespace: podinfo}
                    spec:
                      interval: 10m
                      timeout: 2m
                      chart:
                        spec:
                          chart: podinfo
                          sourceRef: {kind: HelmRepository, name: podinfo}
                      test: {enable: true, ignoreFailures: %s}
                      values: {faults: {testFail: %s}}
                    """.formatted(name, name.equals("tested-ignored"), !name.equals("tested"))).serverSideApply();
        }
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = client.resources(HelmRelease.class).inNamespace("podinfo").withName("tested").get();
            assertThat(hr.getStatus()).isNotNull();
            Condition test = Conditions.find(hr.getStatus().conditions(), "TestSuccess").orElseThrow();
            assertThat(test.status()).as(test.message()).isEqualTo("True");
            assertThat(test.reason()).isEqualTo("TestSucceeded");
            assertThat(test.message()).startsWith("Helm test succeeded for release podinfo/tested with chart ")
                    .endsWith("test hooks completed successfully");
            assertThat(Conditions.isReady(hr.getStatus().conditions(), hr.getMetadata().getGeneration())).isTrue();
        });
        Map<String, Object> status = client.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease")
                .inNamespace("podinfo").withName("tested").get().get("status");
        @SuppressWarnings("unchecked")
        Map<String, Object> snapshot = ((java.util.List<Map<String, Object>>) status.get("history")).get(0);
        assertThat(snapshot.get("testHooks")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .isNotEmpty()
                .allSatisfy((hook, run) -> {
                    assertThat(String.valueOf(hook)).startsWith("tested-podinfo-");
                    assertThat(run).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                            .containsEntry("phase", "Succeeded");
                });
        // podinfo's test Pods carry hook-delete-policy hook-succeeded: none is left on the cluster
        assertThat(client.pods().inNamespace("podinfo").list().getItems())
                .noneMatch(p -> p.getMetadata().getName().startsWith("tested-podinfo-") && p.getMetadata().getName().contains("-test-"));

        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease fault = client.resources(HelmRelease.class).inNamespace("podinfo").withName("tested-fault").get();
            assertThat(fault.getStatus()).isNotNull();
            Condition test = Conditions.find(fault.getStatus().conditions(), "TestSuccess").orElseThrow();
            assertThat(test.status()).isEqualTo("False");
            assertThat(test.reason()).isEqualTo("TestFailed");
            Condition ready = Conditions.find(fault.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");

            HelmRelease ignored = client.resources(HelmRelease.class).inNamespace("podinfo").withName("tested-ignored").get();
            assertThat(ignored.getStatus()).isNotNull();
            Condition ignoredTest = Conditions.find(ignored.getStatus().conditions(), "TestSuccess").orElseThrow();
            assertThat(ignoredTest.status()).isEqualTo("False");
            assertThat(ignoredTest.reason()).isEqualTo("TestFailed");
            assertThat(Conditions.isReady(ignored.getStatus().conditions(), ignored.getMetadata().getGeneration()))
                    .as("test.ignoreFailures").isTrue();
        });
        // the failed test Pod is kept (hook-delete-policy hook-succeeded only), Failed with exit code 1
        assertThat(client.pods().inNamespace("podinfo").list().getItems())
                .filteredOn(p -> p.getMetadata().getName().startsWith("tested-ignored-podinfo-fault-test-"))
                .isNotEmpty()
                .allSatisfy(p -> {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Failed");
                    assertThat(p.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
                            .isEqualTo(1);
                });
    }

    /**
     * Issue #15: the fixture chart with hooks and {@code crds/} ({@link HookedChart}), served by a local Helm repository,
     * through the renderer and the applier: installed (the CRD created; the {@code pre-install} Job completed before the
     * release's ConfigMap was created — ordered by the in-memory API server's resource versions, one counter for every
     * write), tested ({@code spec.test.enable}: {@code TestSuccess=True TestSucceeded}, the test Pod Succeeded),
     * upgraded (the {@code post-upgrade} Job created after the ConfigMap's new value, then deleted by its
     * {@code hook-delete-policy: hook-succeeded}) and deleted (the release's objects and records gone; the CRD and the
     * {@code helm.sh/resource-policy: keep} ConfigMap stay).
     */
    @Test
    @Order(8)
    @SuppressWarnings("try") // the watches are held open for the try; their events are read from `seen`
    void aChartWithHooksAndCrdsIsInstalledTestedUpgradedAndUninstalledAsHelmDoes() throws Exception {
        String ns = "hooks";
        client.resource("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: hooks}
                """).serverSideApply();
        List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        Path dir = PROJECT.resolve("e2e/target/hooked-" + System.nanoTime());
        try (LocalChartRepository hooked = LocalChartRepository.start(HookedChart.write(dir, "1.0.0"));
             Watch jobs = client.batch().v1().jobs().inNamespace(ns).watch(new Recorder<>(seen));
             Watch configMaps = client.configMaps().inNamespace(ns).watch(new Recorder<>(seen))) {
            client.resource("""
                    apiVersion: source.toolkit.fluxcd.io/v1
                    kind: HelmRepository
                    metadata: {name: hooked, namespace: hooks}
                    spec: {interval: 10m, url: %s}
                    """.formatted(hooked.url())).serverSideApply();
            String release = """
                    apiVersion: helm.toolkit.fluxcd.io/v2
                    kind: HelmRelease
                    metadata: {name: hooked, namespace: hooks}
                    spec:
                      interval: 10m
                      timeout: 2m
                      chart:
                        spec:
                          chart: hooked
                          sourceRef: {kind: HelmRepository, name: hooked}
                      test: {enable: true}
                      values: {message: %s, keep: true}
                    """;
            client.resource(release.formatted("installed")).serverSideApply();
            await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                HelmRelease hr = client.resources(HelmRelease.class).inNamespace(ns).withName("hooked").get();
                assertThat(hr.getStatus()).isNotNull();
                assertThat(Conditions.isReady(hr.getStatus().conditions(), hr.getMetadata().getGeneration()))
                        .as(String.valueOf(hr.getStatus().conditions())).isTrue();
                Condition test = Conditions.find(hr.getStatus().conditions(), "TestSuccess")
                        .orElseThrow(() -> new AssertionError("no TestSuccess yet"));
                assertThat(test.status()).as(test.message()).isEqualTo("True");
                assertThat(test.reason()).isEqualTo("TestSucceeded");
            });
            assertThat(client.apiextensions().v1().customResourceDefinitions().withName("gizmos.example.com").get())
                    .isNotNull();
            assertThat(client.configMaps().inNamespace(ns).withName("hooked-settings").get().getData())
                    .containsEntry("message", "installed");
            assertThat(client.pods().inNamespace(ns).withName("hooked-test-connection").get().getStatus().getPhase())
                    .isEqualTo("Succeeded");
            long migrated = first(seen, s -> s.name().equals("hooked-migrate") && s.complete());
            long created = first(seen, s -> s.name().equals("hooked-settings") && s.action() == Watcher.Action.ADDED);
            assertThat(migrated).as("pre-install Job complete before the release's ConfigMap is created: " + seen)
                    .isLessThan(created);
            assertThat(seen).as("no post-upgrade hook at install").noneMatch(s -> s.name().equals("hooked-notify"));

            client.resource(release.formatted("upgraded")).serverSideApply();
            await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(seen).anyMatch(s -> s.name().equals("hooked-notify") && s.action() == Watcher.Action.DELETED);
                HelmRelease hr = client.resources(HelmRelease.class).inNamespace(ns).withName("hooked").get();
                assertThat(Conditions.isReady(hr.getStatus().conditions(), hr.getMetadata().getGeneration()))
                        .as(String.valueOf(hr.getStatus().conditions())).isTrue();
            });
            long changed = first(seen, s -> s.name().equals("hooked-settings") && "upgraded".equals(s.message()));
            long notified = first(seen, s -> s.name().equals("hooked-notify") && s.action() == Watcher.Action.ADDED);
            assertThat(changed).as("post-upgrade Job created after the upgrade applied the ConfigMap: " + seen)
                    .isLessThan(notified);
            assertThat(seen).as("the post-upgrade Job completed before its hook-succeeded deletion")
                    .anyMatch(s -> s.name().equals("hooked-notify") && s.complete());
            assertThat(client.batch().v1().jobs().inNamespace(ns).withName("hooked-notify").get()).isNull();
            assertThat(client.secrets().inNamespace(ns).withName("sh.helm.release.v1.hooked.v2").get().getMetadata()
                    .getLabels()).containsEntry("status", "deployed");

            client.resources(HelmRelease.class).inNamespace(ns).withName("hooked").delete();
            await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(client.resources(HelmRelease.class).inNamespace(ns).withName("hooked").get()).isNull();
                assertThat(client.configMaps().inNamespace(ns).withName("hooked-settings").get()).isNull();
            });
            assertThat(client.apiextensions().v1().customResourceDefinitions().withName("gizmos.example.com").get())
                    .as("a release never deletes its CRDs").isNotNull();
            assertThat(client.configMaps().inNamespace(ns).withName("hooked-keep").get())
                    .as("helm.sh/resource-policy: keep").isNotNull();
            assertThat(client.secrets().inNamespace(ns).withLabel("owner", "helm").withLabel("name", "hooked").list()
                    .getItems()).isEmpty();
        }
    }

    /**
     * Issue #15: a release whose pods never become ready fails its health check and is rolled back by remediation,
     * with podinfo's real chart from the local Helm repository: an upgrade whose {@code podAnnotations} make the
     * in-memory cluster's pods crash-loop (never ready) fails with "health check failed" ({@code Released=False
     * UpgradeFailed}, helm-controller's reason, in the status and the applier's history), and the rollback
     * ({@code Remediated=True RollbackSucceeded}) puts the released Deployment back.
     */
    @Test
    @Order(9)
    void aReleaseWhosePodsNeverBecomeReadyFailsItsHealthCheckAndIsRolledBack() throws Exception {
        client.resource("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: crashing}
                """).serverSideApply();
        client.resource("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: HelmRepository
                metadata: {name: podinfo, namespace: crashing}
                spec: {interval: 10m, url: %s}
                """.formatted(charts.url())).serverSideApply();
        String release = """
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: crashing, namespace: crashing}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: podinfo
                      sourceRef: {kind: HelmRepository, name: podinfo}
                  install: {timeout: 2m}
                  upgrade:
                    timeout: 10s
                    remediation: {retries: 1}
                  values: {podAnnotations: %s}
                """;
        client.resource(release.formatted("{}")).serverSideApply();
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = client.resources(HelmRelease.class).inNamespace("crashing").withName("crashing").get();
            assertThat(hr.getStatus()).isNotNull();
            assertThat(Conditions.isReady(hr.getStatus().conditions(), hr.getMetadata().getGeneration()))
                    .as(String.valueOf(hr.getStatus().conditions())).isTrue();
        });

        client.resource(release.formatted("{embedded.conflux.io/outcome: Failed}")).serverSideApply();
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            HelmRelease hr = client.resources(HelmRelease.class).inNamespace("crashing").withName("crashing").get();
            Condition remediated = Conditions.find(hr.getStatus().conditions(), "Remediated")
                    .orElseThrow(() -> new AssertionError("not remediated yet: " + hr.getStatus().conditions()));
            assertThat(remediated.status()).isEqualTo("True");
            assertThat(remediated.reason()).isEqualTo("RollbackSucceeded");
            Condition released = Conditions.find(hr.getStatus().conditions(), "Released")
                    .orElseThrow(() -> new AssertionError("no Released yet"));
            assertThat(released.status()).isEqualTo("False");
            assertThat(released.reason()).isEqualTo("UpgradeFailed");
            assertThat(released.message()).contains("health check failed after 10s: timeout waiting for: [")
                    .contains("Deployment/crashing/crashing-podinfo");
        });
        // helm-controller's reasons in the applier's history: the health check's failure is the upgrade's
        assertThat(ApplierHistory.attempts(conflux, "HelmRelease", "crashing", "crashing"))
                .filteredOn(a -> a.path("reason").asText().equals("UpgradeFailed")).isNotEmpty()
                .allSatisfy(a -> assertThat(a.path("message").asText()).contains("health check failed"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(client.apps().deployments().inNamespace("crashing").withName("crashing-podinfo").get()
                        .getSpec().getTemplate().getMetadata().getAnnotations())
                        .as("rolled back to the released pod template")
                        .doesNotContainKey("embedded.conflux.io/outcome"));
    }

    /** One watch event of a Job or ConfigMap: the resource version the API server gave the write it reports. */
    private record Seen(Watcher.Action action, String name, long resourceVersion, boolean complete, String message) {
    }

    /** Records the watch events of one kind into a shared list. */
    private record Recorder<T extends HasMetadata>(List<Seen> seen) implements Watcher<T> {
        @Override
        public void eventReceived(Action action, T object) {
            boolean complete = object instanceof Job job && job.getStatus() != null && job.getStatus().getConditions() != null
                    && job.getStatus().getConditions().stream()
                            .anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus()));
            String message = object instanceof ConfigMap cm && cm.getData() != null ? cm.getData().get("message") : null;
            seen.add(new Seen(action, object.getMetadata().getName(),
                    Long.parseLong(object.getMetadata().getResourceVersion()), complete, message));
        }

        @Override
        public void onClose(WatcherException cause) {
        }
    }

    /** @return the resource version of the first event matching {@code which}; fails when there is none */
    private static long first(List<Seen> seen, java.util.function.Predicate<Seen> which) {
        synchronized (seen) {
            return seen.stream().filter(which).mapToLong(Seen::resourceVersion).min()
                    .orElseThrow(() -> new AssertionError("no such watch event in " + seen));
        }
    }

    /** @return the JSON output of {@code helm <args> -o json} against the installation's kubeconfig */
    private static JsonNode helmJson(String... args) throws Exception {
        List<String> withOutput = new ArrayList<>(List.of(args));
        withOutput.addAll(List.of("-o", "json"));
        return new ObjectMapper().readTree(helm(withOutput.toArray(String[]::new)));
    }

    /** The reference helm's standard output for {@code args} against the installation's cluster; fails on non-zero exit. */
    private static String helm(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(HELM.toString(), "--kubeconfig", conflux.kubeconfig().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + err).isZero();
        return out;
    }
}
