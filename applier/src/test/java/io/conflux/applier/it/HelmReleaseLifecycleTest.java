package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.reconcile.Reconciler;
import io.conflux.helm.ChartRenderer;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A HelmRelease's lifecycle on the embedded API server, with a fixture chart the test writes and Helm's template engine
 * renders ({@link ChartRenderer}, as the renderer does): a {@code crds/} CustomResourceDefinition, a custom resource
 * of it, a ConfigMap annotated {@code helm.sh/resource-policy: keep}, a plain ConfigMap and a Deployment. Deleting the
 * HelmRelease uninstalls it but leaves the CRD and the kept ConfigMap; {@code driftDetection} {@code disabled} (the
 * default) leaves a replica count scaled by someone else (an HPA) alone, {@code warn} reports it as
 * {@code Drifted=True}, {@code enabled} corrects it — unless an ignore rule names {@code /spec/replicas}.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class HelmReleaseLifecycleTest {
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static Path chart;
    /** The HelmReleases a test created, deleted after it: their 1s interval would otherwise run on in other tests. */
    final List<String> created = new ArrayList<>();

    @Inject
    Reconciler reconciler;
    @Inject
    ObjectMapper json;

    @BeforeAll
    static void writeChart() throws IOException {
        chart = Files.createTempDirectory("conflux-fixture-chart").resolve("fixture");
        Files.createDirectories(chart.resolve("crds"));
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: fixture\nversion: 1.0.0\n");
        Files.writeString(chart.resolve("values.yaml"), "replicas: 2\n");
        Files.writeString(chart.resolve("crds/doohickeys.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: doohickeys.example.com
                spec:
                  group: example.com
                  scope: Namespaced
                  names: {kind: Doohickey, listKind: DoohickeyList, plural: doohickeys, singular: doohickey}
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
                """);
        // delete hooks: ConfigMaps, done once created (no kubelet runs Jobs here)
        Files.writeString(chart.resolve("templates/delete-hooks.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-pre-delete
                  namespace: {{ .Release.Namespace }}
                  annotations:
                    helm.sh/hook: pre-delete
                data:
                  k: v
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-post-delete
                  namespace: {{ .Release.Namespace }}
                  annotations:
                    helm.sh/hook: post-delete
                data:
                  k: v
                """);
        Files.writeString(chart.resolve("templates/objects.yaml"), """
                apiVersion: example.com/v1
                kind: Doohickey
                metadata:
                  name: {{ .Release.Name }}
                  namespace: {{ .Release.Namespace }}
                spec:
                  size: 1
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-kept
                  namespace: {{ .Release.Namespace }}
                  annotations:
                    helm.sh/resource-policy: keep
                data:
                  k: v
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: {{ .Release.Name }}-plain
                  namespace: {{ .Release.Namespace }}
                data:
                  k: v
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: {{ .Release.Name }}
                  namespace: {{ .Release.Namespace }}
                spec:
                  replicas: {{ .Values.replicas }}
                  selector:
                    matchLabels: {app: {{ .Release.Name }}}
                  template:
                    metadata:
                      labels: {app: {{ .Release.Name }}}
                    spec:
                      containers:
                        - name: web
                          image: nginx:1.27
                """);
    }

    @AfterEach
    void deleteReleases() {
        KubernetesClient kube = ApplierServices.kube.client();
        created.forEach(name -> kube.resources(HelmRelease.class).inNamespace("default").withName(name).delete());
    }

    @Test
    void deletingAReleaseKeepsItsCrdsAndKeepObjects() {
        KubernetesClient kube = ApplierServices.kube.client();
        install(kube, "uninstall", "");
        assertThat(kube.apiextensions().v1().customResourceDefinitions().withName("doohickeys.example.com").get()).isNotNull();
        assertThat(kube.genericKubernetesResources("example.com/v1", "Doohickey").inNamespace("default")
                .withName("uninstall").get()).isNotNull();

        assertThat(kube.secrets().inNamespace("default").withName("sh.helm.release.v1.uninstall.v1").get()).isNotNull();
        assertThat(kube.configMaps().inNamespace("default").withName("uninstall-pre-delete").get()).isNull();

        kube.resources(HelmRelease.class).inNamespace("default").withName("uninstall").delete();
        Await.until(PATIENCE, () -> release(kube, "uninstall") == null);

        // the release's pre-delete and post-delete hooks ran around the uninstall; its Helm records are gone
        assertThat(kube.configMaps().inNamespace("default").withName("uninstall-pre-delete").get()).isNotNull();
        assertThat(kube.configMaps().inNamespace("default").withName("uninstall-post-delete").get()).isNotNull();
        assertThat(kube.secrets().inNamespace("default").withLabel("owner", "helm").withLabel("name", "uninstall")
                .list().getItems()).isEmpty();

        assertThat(kube.apiextensions().v1().customResourceDefinitions().withName("doohickeys.example.com").get()).isNotNull();
        assertThat(kube.configMaps().inNamespace("default").withName("uninstall-kept").get()).isNotNull();
        assertThat(kube.configMaps().inNamespace("default").withName("uninstall-plain").get()).isNull();
        assertThat(kube.apps().deployments().inNamespace("default").withName("uninstall").get()).isNull();
        assertThat(kube.genericKubernetesResources("example.com/v1", "Doohickey").inNamespace("default")
                .withName("uninstall").get()).isNull();
    }

    @Test
    void aReleaseWhosePodsNeverBecomeReadyFailsItsInstallAndIsUninstalled() {
        KubernetesClient kube = ApplierServices.kube.client();
        // Helm's wait is on by default; no kubelet runs here, so the Deployment never becomes available
        render(kube, "unhealthy", "\"timeout\":\"1s\",\"install\":{\"remediation\":{\"retries\":1}}",
                () -> condition(kube, "unhealthy", "Remediated") != null);
        Condition released = condition(kube, "unhealthy", "Released");
        assertThat(released.status()).isEqualTo("False");
        assertThat(released.reason()).isEqualTo("InstallFailed");
        assertThat(released.message()).startsWith("Helm install failed for release default/unhealthy with chart 1.0.0:"
                + " health check failed after 1s: timeout waiting for: [").contains("Deployment/default/unhealthy status: 'InProgress'");
        assertThat(condition(kube, "unhealthy", "Remediated").reason()).isEqualTo("UninstallSucceeded");
        assertThat(statusOf(condition(kube, "unhealthy", Condition.READY))).isEqualTo("False");
        assertThat(kube.configMaps().inNamespace("default").withName("unhealthy-plain").get()).isNull();
    }

    @Test
    void disabledDriftDetectionLeavesScaledReplicasAlone() {
        KubernetesClient kube = ApplierServices.kube.client();
        install(kube, "drift-off", "");
        scale(kube, "drift-off", 5);
        int runs = runs("drift-off");
        // two periodic runs after the scale: neither applies anything
        Await.until(PATIENCE, () -> runs("drift-off") >= runs + 2);
        assertThat(replicas(kube, "drift-off")).isEqualTo(5);
        assertThat(condition(kube, "drift-off", "Drifted")).isNull();
    }

    @Test
    void warnReportsDriftWithoutCorrectingIt() {
        KubernetesClient kube = ApplierServices.kube.client();
        install(kube, "drift-warn", "\"driftDetection\":{\"mode\":\"warn\"}");
        Await.until(PATIENCE, () -> condition(kube, "drift-warn", "Drifted") != null);
        assertThat(condition(kube, "drift-warn", "Drifted").reason()).isEqualTo("NoDriftDetected");

        scale(kube, "drift-warn", 5);
        Await.until(PATIENCE, () -> "True".equals(statusOf(condition(kube, "drift-warn", "Drifted"))));
        Condition drifted = condition(kube, "drift-warn", "Drifted");
        assertThat(drifted.reason()).isEqualTo("DriftDetected");
        assertThat(drifted.message()).isEqualTo("Cluster state of release default/drift-warn has drifted from the desired"
                + " state:\nDeployment/default/drift-warn changed (0 additions, 1 changes, 0 removals)");
        assertThat(replicas(kube, "drift-warn")).isEqualTo(5);
        assertThat(statusOf(condition(kube, "drift-warn", Condition.READY))).isEqualTo("True");
    }

    @Test
    void enabledCorrectsDriftButNotWhatIsIgnored() {
        KubernetesClient kube = ApplierServices.kube.client();
        install(kube, "drift-fix", "\"driftDetection\":{\"mode\":\"enabled\"}");
        scale(kube, "drift-fix", 5);
        Await.until(PATIENCE, () -> replicas(kube, "drift-fix") == 2);

        install(kube, "drift-hpa", "\"driftDetection\":{\"mode\":\"enabled\",\"ignore\":[{\"paths\":[\"/spec/replicas\"],"
                + "\"target\":{\"kind\":\"Deployment\"}}]}");
        scale(kube, "drift-hpa", 5);
        kube.configMaps().inNamespace("default").withName("drift-hpa-plain").edit(cm -> {
            cm.setData(Map.of("k", "changed"));
            return cm;
        });
        // the ConfigMap's drift is corrected in a run that also saw the replicas: which it leaves
        Await.until(PATIENCE, () -> "v".equals(kube.configMaps().inNamespace("default").withName("drift-hpa-plain").get()
                .getData().get("k")));
        assertThat(replicas(kube, "drift-hpa")).isEqualTo(5);
    }

    /**
     * An error in the release path that is no install failure (here a bundle that does not parse; in the 1,000-release
     * benchmark a Helm release record that could not be written) makes the HelmRelease {@code Ready=False
     * ReconcileError}, counts nothing against remediation, and is tried again after the rate limiter's backoff
     * (750ms, doubling), as helm-controller's errors are — not after its 1h interval — until it goes through.
     */
    @Test
    void aReleaseFailingWithAnErrorIsTriedAgainWithBackoffNotAfterItsInterval() {
        KubernetesClient kube = ApplierServices.kube.client();
        String name = "erring";
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"helm.toolkit.fluxcd.io/v2\",\"kind\":\"HelmRelease\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"1h\","
                + "\"chart\":{\"spec\":{\"chart\":\"fixture\",\"sourceRef\":{\"kind\":\"HelmRepository\",\"name\":\"repo\"}}},"
                + "\"install\":{\"disableWait\":true}}}", HelmRelease.class)).create();
        created.add(name);
        long generation = release(kube, name).getMetadata().getGeneration();
        String digest = "sha256:helm-" + name;
        ApplierServices.bundle(digest, "42", 0);
        RenderResult result = new RenderResult("HelmRelease/default/" + name, generation, "1.0.0", digest, 0,
                null, null, "2026-12-06T16:00:00Z", 1L);
        for (int i = 0; i < 6 && errors(name) == 0; i++) {
            reconciler.onRenderResult(result).await().atMost(PATIENCE);
            try {
                Await.until(Duration.ofSeconds(10), () -> errors(name) > 0);
            } catch (AssertionError notYet) {
                // delivered again: the informer may not have seen the HelmRelease yet
            }
        }

        // tried again without any new render result or event: after 750ms, then 1.5s, ...
        Await.until(PATIENCE, () -> errors(name) >= 3);
        Condition ready = condition(kube, name, Condition.READY);
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.reason()).isEqualTo("ReconcileError");
        assertThat(ready.message()).contains("a bundle is a JSON array or object, not NUMBER");
        assertThat(condition(kube, name, "Released")).isNull(); // no install was counted as failed

        // the bundle readable: one of the next tries installs it
        ApplierServices.replaceBundle(digest, releaseBundle(name).bundle());
        Await.until(PATIENCE, () -> "True".equals(statusOf(condition(kube, name, Condition.READY))));
        assertThat(condition(kube, name, "Released").reason()).isEqualTo("InstallSucceeded");
    }

    /** Creates HelmRelease default/name (disableWait: no kubelet on this cluster), renders the chart, awaits Ready. */
    private void install(KubernetesClient kube, String name, String spec) {
        render(kube, name, "\"install\":{\"disableWait\":true}" + (spec.isEmpty() ? "" : "," + spec),
                () -> "True".equals(statusOf(condition(kube, name, Condition.READY))));
    }

    /** Creates HelmRelease default/name with {@code spec} fields, renders the chart, hands it over until {@code done}. */
    private void render(KubernetesClient kube, String name, String spec, java.util.function.BooleanSupplier done) {
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"helm.toolkit.fluxcd.io/v2\",\"kind\":\"HelmRelease\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"1s\","
                + "\"chart\":{\"spec\":{\"chart\":\"fixture\",\"sourceRef\":{\"kind\":\"HelmRepository\",\"name\":\"repo\"}}},"
                + spec + "}}", HelmRelease.class)).create();
        created.add(name);
        long generation = release(kube, name).getMetadata().getGeneration();
        Rendered rendered = releaseBundle(name);
        String digest = "sha256:helm-" + name;
        ApplierServices.bundle(digest, rendered.bundle(), rendered.objects());
        RenderResult result = new RenderResult("HelmRelease/default/" + name, generation, "1.0.0", digest,
                rendered.objects(), null, null, "2026-12-06T16:00:00Z", 1L);
        for (int i = 0; i < 6 && !done.getAsBoolean(); i++) {
            reconciler.onRenderResult(result).await().atMost(PATIENCE);
            try {
                Await.until(Duration.ofSeconds(10), done);
            } catch (AssertionError notYet) {
                // delivered again: the informer may not have seen the HelmRelease yet
            }
        }
        Await.until(PATIENCE, done);
    }

    /** The fixture chart rendered for release default/name: its bundle as the renderer stores it, and its objects. */
    private record Rendered(String bundle, int objects) {
    }

    private Rendered releaseBundle(String name) {
        ChartRenderer.Release rendered = new ChartRenderer().render(chart, name, "default", Map.of());
        List<Map<String, Object>> objects = new ArrayList<>(rendered.all());
        return new Rendered(new ReleaseBundle(objects, rendered.hooks(), new ReleaseBundle.Release(rendered.chartMetadata(),
                rendered.chartValues(), Map.of(), List.of())).write(json), objects.size());
    }

    /** Scales the Deployment as an HPA does: an update by another field manager. */
    private static void scale(KubernetesClient kube, String name, int replicas) {
        kube.apps().deployments().inNamespace("default").withName(name).patch(
                new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).withFieldManager("hpa").build(),
                "{\"spec\":{\"replicas\":" + replicas + "}}");
        assertThat(replicas(kube, name)).isEqualTo(replicas);
    }

    private static int replicas(KubernetesClient kube, String name) {
        Deployment d = kube.apps().deployments().inNamespace("default").withName(name).get();
        return d.getSpec().getReplicas();
    }

    /** @return how many attempts of HelmRelease default/name the applier recorded */
    private static int runs(String name) {
        return Integer.parseInt(ApplierServices.queryOne("SELECT count(*) FROM reconcile_history WHERE object_key = ?",
                "HelmRelease/default/" + name));
    }

    /** @return how many attempts of HelmRelease default/name the applier recorded as {@code ReconcileError} */
    private static int errors(String name) {
        return Integer.parseInt(ApplierServices.queryOne("SELECT count(*) FROM reconcile_history WHERE object_key = ?"
                + " AND reason = 'ReconcileError'", "HelmRelease/default/" + name));
    }

    private static HelmRelease release(KubernetesClient kube, String name) {
        return kube.resources(HelmRelease.class).inNamespace("default").withName(name).get();
    }

    private static Condition condition(KubernetesClient kube, String name, String type) {
        HelmRelease hr = release(kube, name);
        return hr == null || hr.getStatus() == null || hr.getStatus().conditions() == null ? null
                : Conditions.find(hr.getStatus().conditions(), type).orElse(null);
    }

    private static String statusOf(Condition c) {
        return c == null ? null : c.status();
    }
}
