package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.conflux.cli.TestCluster.Run;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux check} against an in-memory management cluster with Conflux's CRDs and a stand-in service answering
 * {@code /q/health/ready}: every kind of problem is named, and the exit code is 1 until none is left.
 */
class CheckCommandTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;
    static HttpServer service;
    static final AtomicReference<String> HEALTH = new AtomicReference<>();
    static final String GIT_CRD = "gitrepositories.source.toolkit.fluxcd.io";

    @BeforeAll
    static void start() throws IOException {
        System.setProperty("conflux.home", Path.of("..").toAbsolutePath().normalize().toString());
        cluster = new TestCluster(dir);
        service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/q/health/ready", exchange -> {
            String body = HEALTH.get();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body.contains("\"DOWN\"") ? 503 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        service.start();
    }

    @AfterAll
    static void stop() {
        service.stop(0);
        cluster.close();
        System.clearProperty("conflux.home");
    }

    /** Writes every CRD again: the API server re-runs its naming checks and establishes what it now accepts. */
    private static void establishAll() {
        var crds = cluster.client.apiextensions().v1().customResourceDefinitions();
        for (CustomResourceDefinition crd : crds.list().getItems()) {
            crds.resource(crd).update();
        }
    }

    private Run check() {
        return cluster.conflux("check", "--service",
                "applier=http://127.0.0.1:" + service.getAddress().getPort(), "--timeout", "5s");
    }

    /**
     * Holds Conflux's GitRepository CRD un-Established as kube-apiserver's naming controller does (the one way on a
     * real API server): it is written again while another CRD of its group holds its singular name.
     */
    private static void holdGitRepositoriesUnEstablished() {
        var crds = cluster.client.apiextensions().v1().customResourceDefinitions();
        CustomResourceDefinition git = crds.withName(GIT_CRD).get();
        crds.withName(GIT_CRD).delete();
        cluster.create("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: gitrepos.source.toolkit.fluxcd.io}
                spec:
                  group: source.toolkit.fluxcd.io
                  scope: Namespaced
                  names: {plural: gitrepos, singular: gitrepo, kind: GitRepo, shortNames: [gitrepository]}
                  versions: [{name: v1, served: true, storage: true,
                    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
                """);
        git.getMetadata().setResourceVersion(null);
        git.getMetadata().setUid(null);
        git.getMetadata().setCreationTimestamp(null);
        git.setStatus(null);
        crds.resource(git).create();
    }

    @Test
    void namesEveryProblemAndPassesOnceAllAreGone() {
        holdGitRepositoriesUnEstablished();
        HEALTH.set("{\"status\":\"DOWN\",\"checks\":[{\"name\":\"conflux-watches\",\"status\":\"DOWN\",\"data\":"
                + "{\"watches\":2,\"Kustomization (kustomize.toolkit.fluxcd.io/v1)\":\"404 the server could not find"
                + " the requested resource (3 failures since 2026-12-06T19:00:00Z)\"}}]}");
        cluster.create("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: kustomize-controller, namespace: flux-system, labels: {app.kubernetes.io/part-of: flux}}
                spec: {selector: {matchLabels: {app: kc}}, template: {metadata: {labels: {app: kc}},
                  spec: {containers: [{name: manager, image: ghcr.io/fluxcd/kustomize-controller:v0.31.0}]}}}
                """);
        cluster.create("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: flux-system, namespace: flux-system}
                spec: {interval: 10m, path: ./clusters/c, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
                """);
        cluster.patchStatus(FluxObjectKind.KUSTOMIZATION, "flux-system", "flux-system", "{\"conditions\":["
                + "{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"DependencyNotReady\",\"message\":\"dependency"
                + " 'flux-system/infra' is not ready\",\"lastTransitionTime\":\"2026-12-06T19:00:00Z\"},"
                + "{\"type\":\"ToolkitObjectsSkipped\",\"status\":\"True\",\"reason\":\"FluxControllerSkipped\","
                + "\"message\":\"Deployment/flux-system/source-controller not applied\","
                + "\"lastTransitionTime\":\"2026-12-06T19:00:00Z\"}]}");

        Run failing = check();
        assertThat(failing.exitCode()).as(failing.err()).isEqualTo(1);
        assertThat(failing.out()).contains(
                "✔ cluster: reachable",
                "✗ crds: gitrepositories.source.toolkit.fluxcd.io is not Established",
                "✗ flux-controllers: Deployment/flux-system/kustomize-controller (0 ready) runs Flux beside Conflux",
                "! flux-controllers: Kustomization/flux-system/flux-system skipped: Deployment/flux-system/source-controller"
                        + " not applied",
                "✗ objects: Kustomization/flux-system/flux-system: Ready=False DependencyNotReady: dependency"
                        + " 'flux-system/infra' is not ready",
                "✗ services: applier not ready (HTTP 503): conflux-watches; watches: 2; Kustomization"
                        + " (kustomize.toolkit.fluxcd.io/v1): 404 the server could not find the requested resource");

        Run get = cluster.conflux("get", "ks");
        assertThat(get.out()).contains("dependency 'flux-system/infra' is not ready (skipped: "
                + "Deployment/flux-system/source-controller not applied)");

        cluster.client.apiextensions().v1().customResourceDefinitions().withName("gitrepos.source.toolkit.fluxcd.io")
                .delete();
        establishAll();
        cluster.client.apps().deployments().inNamespace("flux-system").withName("kustomize-controller").delete();
        cluster.patchStatus(FluxObjectKind.KUSTOMIZATION, "flux-system", "flux-system", "{\"conditions\":["
                + "{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"ReconciliationSucceeded\",\"message\":\"Applied\","
                + "\"lastTransitionTime\":\"2026-12-06T19:00:00Z\"}]}");
        HEALTH.set("{\"status\":\"UP\",\"checks\":[{\"name\":\"conflux-watches\",\"status\":\"UP\",\"data\":{\"watches\":2}}]}");

        Run passing = check();
        assertThat(passing.out()).contains("✔ crds: kustomizations.kustomize.toolkit.fluxcd.io serves v1",
                "✔ services: applier ready", "✔ all checks passed");
        assertThat(passing.exitCode()).as(passing.out()).isZero();
    }

    @Test
    void listsTheFieldsConfluxDoesNotActOnAsWarnings() {
        cluster.create("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: apps}
                spec:
                  interval: 5m
                  chartRef: {kind: OCIRepository, name: podinfo}
                  dependsOn: [{name: redis, readyExpr: "dep.status.ready"}]
                  maxHistory: 3
                  persistentClient: true
                  install: {replace: true}
                """);
        try {
            Run run = check();
            assertThat(run.out()).as(run.err()).contains(
                    "! unsupported-fields: HelmRelease/apps/podinfo: spec.persistentClient (not applicable)",
                    "! unsupported-fields: HelmRelease/apps/podinfo: spec.install.replace (not read)");
            // a typo (spec.intervall) never gets this far: Flux's schema prunes it on write, as kube-apiserver does
            assertThat(cluster.client.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease")
                    .inNamespace("apps").withName("podinfo").get().getAdditionalProperties().get("spec").toString())
                    .contains("persistentClient");
            assertThat(run.out()).doesNotContain("spec.dependsOn").doesNotContain("spec.interval (")
                    .doesNotContain("spec.maxHistory") // acted on: Helm release records (issue #15)
                    .doesNotContain("spec.chartRef"); // acted on: OCIRepository and HelmChart (issue #15)
        } finally {
            cluster.client.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease").inNamespace("apps")
                    .withName("podinfo").delete();
        }
    }

    /**
     * Providers and Alerts have no status in Flux's v1beta3 (not listed as "not Ready"): an unusable one is listed by
     * the notifier's {@code InvalidConfig} Warning Event on it, for the object's current generation only.
     */
    @Test
    void listsTheProvidersTheNotifierReportedInvalidConfigForTheirCurrentGeneration() {
        cluster.create("""
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Provider
                metadata: {name: pager, namespace: flux-system}
                spec: {type: pagerduty, address: "https://events.pagerduty.com"}
                """);
        var providers = cluster.client.genericKubernetesResources("notification.toolkit.fluxcd.io/v1beta3", "Provider")
                .inNamespace("flux-system");
        try {
            var provider = providers.withName("pager").get();
            cluster.create("""
                    apiVersion: events.k8s.io/v1
                    kind: Event
                    metadata:
                      name: pager.0123456789abcdef
                      namespace: flux-system
                      annotations: {notification.toolkit.fluxcd.io/generation: "%d"}
                    eventTime: "2026-12-07T01:00:00.000000Z"
                    reportingController: conflux-notifier
                    reportingInstance: conflux-notifier-1
                    action: InvalidConfig
                    reason: InvalidConfig
                    type: Warning
                    note: "provider type 'pagerduty' is not supported"
                    regarding: {apiVersion: notification.toolkit.fluxcd.io/v1beta3, kind: Provider, namespace: flux-system,
                      name: pager, uid: %s}
                    """.formatted(provider.getMetadata().getGeneration(), provider.getMetadata().getUid()));
            Run run = check();
            assertThat(run.out()).as(run.err()).contains(
                    "✗ notification: Provider/flux-system/pager: InvalidConfig: provider type 'pagerduty' is not supported")
                    .doesNotContain("objects: Provider/");

            providers.withName("pager").edit(p -> {
                @SuppressWarnings("unchecked")
                java.util.Map<String, Object> spec = (java.util.Map<String, Object>) p.getAdditionalProperties().get("spec");
                spec.put("type", "slack");
                return p;
            });
            Run fixed = check();
            assertThat(fixed.out()).as("the Event is about the previous generation")
                    .contains("✔ notification: 1 Providers and Alerts usable").doesNotContain("InvalidConfig");
        } finally {
            providers.withName("pager").delete();
        }
    }

    /**
     * No silent stall (#13): an object pending past interval + timeout + grace whose status does not say why (the
     * applier, whose audit would write it, is not running here) is listed as stalled, naming what it waits for.
     */
    @Test
    void listsAnObjectPendingPastItsIntervalAsStalledNamingWhatItWaitsFor() throws InterruptedException {
        cluster.create("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: stuck, namespace: flux-system}
                spec: {interval: 1s, path: ./, prune: false, sourceRef: {kind: GitRepository, name: nowhere}}
                """);
        try {
            String expected = "✗ objects: Kustomization/flux-system/stuck: stalled: ArtifactFailed: source"
                    + " GitRepository/flux-system/nowhere not found; no Ready condition since ";
            Run first = check();
            Run run = first;
            // interval 1s + timeout 1s + grace 0s from the creation: a bounded wait for the clock, not a timed assertion
            for (int i = 0; i < 60 && !run.out().contains(expected); i++) {
                Thread.sleep(500);
                run = cluster.conflux("check", "--service", "applier=http://127.0.0.1:" + service.getAddress().getPort(),
                        "--stall-grace", "0s");
            }
            assertThat(first.out()).as("within interval + timeout + the default grace: not yet stalled")
                    .contains("✗ objects: Kustomization/flux-system/stuck: no Ready condition: not reconciled yet");
            assertThat(run.out()).contains(expected).contains("past interval 1s + timeout 1s + grace 0s");
            assertThat(run.exitCode()).isEqualTo(1);
        } finally {
            cluster.client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                    .inNamespace("flux-system").withName("stuck").delete();
        }
    }
}
