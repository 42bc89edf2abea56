package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.reconcile.Reconciler;
import io.conflux.embedded.WorkloadController;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A HelmRelease's bundle with hooks, through the applier service: the pre-install Job runs before the release's
 * objects, the test hook after them ({@code spec.test.enable}: {@code TestSuccess=True}), and the release is recorded as
 * Helm's Secret {@code sh.helm.release.v1.hooked.v1}. A {@link WorkloadController} completes the Job and the Pod.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class HelmReleaseHooksTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    Reconciler reconciler;

    /** Where the applier serves the release's inventory: a HelmRelease's v2 status has none (Flux's schema prunes it). */
    @TestHTTPResource("/api/inventory/HelmRelease/default/hooked")
    URI inventory;

    @Test
    void hooksAndTestsRunAndTheReleaseIsRecordedForHelm() {
        KubernetesClient kube = ApplierServices.kube.client();
        WorkloadController workloads = WorkloadController.start(kube, Duration.ZERO);
        try {
            kube.resource(Serialization.unmarshal("""
                    apiVersion: helm.toolkit.fluxcd.io/v2
                    kind: HelmRelease
                    metadata: {name: hooked, namespace: default}
                    spec:
                      interval: 10m
                      timeout: 1m
                      chart:
                        spec:
                          chart: hooked
                          sourceRef: {kind: HelmRepository, name: charts}
                      test: {enable: true}
                    """, HelmRelease.class)).create();
            long generation = release(kube).getMetadata().getGeneration();
            String digest = "sha256:hooked-1.0.0";
            ApplierServices.bundle(digest, """
                    {"objects": [{"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": "hooked-settings", "namespace": "default"}, "data": {"message": "hello"}}],
                     "hooks": [{"apiVersion": "batch/v1", "kind": "Job",
                                "metadata": {"name": "hooked-migrate", "namespace": "default",
                                             "annotations": {"helm.sh/hook": "pre-install,pre-upgrade"}},
                                "spec": {"template": {"spec": {"restartPolicy": "Never",
                                         "containers": [{"name": "m", "image": "busybox"}]}}}},
                               {"apiVersion": "v1", "kind": "Pod",
                                "metadata": {"name": "hooked-test-connection", "namespace": "default",
                                             "annotations": {"helm.sh/hook": "test"}},
                                "spec": {"restartPolicy": "Never", "containers": [{"name": "t", "image": "busybox"}]}}],
                     "release": {"chartMetadata": {"apiVersion": "v2", "name": "hooked", "version": "1.0.0"},
                                 "chartValues": {"message": "hello"}, "config": {}}}
                    """, 1);
            RenderResult result = new RenderResult("HelmRelease/default/hooked", generation, "1.0.0", digest, 1, null, null,
                    "2026-12-06T16:00:00Z", null);
            for (int i = 0; i < 6 && !tested(kube); i++) {
                reconciler.onRenderResult(result).await().atMost(PATIENCE);
                try {
                    Await.until(Duration.ofSeconds(10), () -> tested(kube));
                } catch (AssertionError notYet) {
                    // delivered again: the informer may not have seen the HelmRelease yet
                }
            }
            Await.until(PATIENCE, () -> tested(kube));

            HelmRelease hr = release(kube);
            assertThat(Conditions.isReady(hr.getStatus().conditions(), generation)).isTrue();
            Condition test = Conditions.find(hr.getStatus().conditions(), "TestSuccess").orElseThrow();
            assertThat(test.reason()).isEqualTo("TestSucceeded");
            assertThat(test.message()).isEqualTo(
                    "Helm test succeeded for release default/hooked with chart 1.0.0: 1 test hook completed successfully");
            // the pre-install hook ran before the release's object was applied, and is not in the inventory
            long job = Long.parseLong(kube.batch().v1().jobs().inNamespace("default").withName("hooked-migrate").get()
                    .getMetadata().getResourceVersion());
            long settings = Long.parseLong(kube.configMaps().inNamespace("default").withName("hooked-settings").get()
                    .getMetadata().getResourceVersion());
            assertThat(job).isLessThan(settings);
            assertThat(inventoryEntries()).hasSize(1);
            Secret record = kube.secrets().inNamespace("default").withName("sh.helm.release.v1.hooked.v1").get();
            assertThat(record).isNotNull();
            assertThat(record.getType()).isEqualTo("helm.sh/release.v1");
            assertThat(record.getMetadata().getLabels()).containsEntry("status", "deployed").containsEntry("owner", "helm");
            // status.history as helm-controller v2 writes it, from the record: the test hook's run in its snapshot
            Map<String, Object> status = kube.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease")
                    .inNamespace("default").withName("hooked").get().get("status");
            assertThat(status).containsEntry("lastAttemptedConfigDigest",
                    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
            assertThat(status.get("history")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).singleElement().satisfies(snapshot -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> s = (Map<String, Object>) snapshot;
                assertThat(s).containsEntry("name", "hooked").containsEntry("namespace", "default").containsEntry("version", 1)
                        .containsEntry("status", "deployed").containsEntry("chartName", "hooked")
                        .containsEntry("chartVersion", "1.0.0").doesNotContainKey("ociDigest");
                assertThat(s.get("testHooks")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                        .containsOnlyKeys("hooked-test-connection")
                        .extractingByKey("hooked-test-connection").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                        .containsEntry("phase", "Succeeded");
            });
        } finally {
            workloads.close();
        }
    }

    private static HelmRelease release(KubernetesClient kube) {
        return kube.resources(HelmRelease.class).inNamespace("default").withName("hooked").get();
    }

    private static boolean tested(KubernetesClient kube) {
        HelmRelease hr = release(kube);
        Optional<Condition> test = hr == null || hr.getStatus() == null ? Optional.empty()
                : Conditions.find(hr.getStatus().conditions(), "TestSuccess");
        return test.isPresent() && "True".equals(test.get().status());
    }

    private List<?> inventoryEntries() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(inventory).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return (List<?>) new ObjectMapper().readValue(r.body(), Map.class).get("entries");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
