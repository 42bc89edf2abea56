package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * Issue #13: {@code spec.kubeConfig.configMapRef} (Flux 2.6+ workload identity) was dropped by the model, so the
 * objects landed on the management cluster. Conflux does not implement it: the object is {@code Ready=False} naming the
 * field, and nothing reaches the management cluster.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class KubeConfigRefusalTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String KEY = "Kustomization/default/remote-wi";

    @Inject
    Reconciler reconciler;

    @org.junit.jupiter.api.Test
    void aWorkloadIdentityKubeconfigIsRefusedAndNothingIsAppliedToTheManagementCluster() {
        KubernetesClient kube = ApplierServices.kube.client();
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"remote-wi\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\","
                + "\"prune\":true,\"path\":\"./\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"},"
                + "\"kubeConfig\":{\"configMapRef\":{\"name\":\"aks-prod\"}}}}", Kustomization.class)).create();
        long generation = kube.resources(Kustomization.class).inNamespace("default").withName("remote-wi").get()
                .getMetadata().getGeneration();
        String digest = "sha256:remote-wi-r1";
        ApplierServices.bundle(digest, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"remote-wi\","
                + "\"namespace\":\"default\"},\"data\":{\"where\":\"remote only\"}}]", 1);
        RenderResult result = new RenderResult(KEY, generation, "main@sha1:r1", digest, 1, null, null,
                "2026-12-06T16:00:00Z", 1L);

        for (int i = 0; i < 6 && readyCondition(kube) == null; i++) {
            reconciler.onRenderResult(result).await().atMost(PATIENCE);
            try {
                Await.until(Duration.ofSeconds(10), () -> readyCondition(kube) != null);
            } catch (AssertionError notYet) {
                // delivered again: the informer may not have seen the object yet
            }
        }
        Await.until(PATIENCE, () -> readyCondition(kube) != null);
        Condition ready = readyCondition(kube);
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.message()).contains("spec.kubeConfig.configMapRef").contains("aks-prod");
        assertThat(kube.configMaps().inNamespace("default").withName("remote-wi").get())
                .as("nothing applied to the management cluster").isNull();
    }

    private static Condition readyCondition(KubernetesClient kube) {
        Kustomization k = kube.resources(Kustomization.class).inNamespace("default").withName("remote-wi").get();
        if (k == null || k.getStatus() == null || k.getStatus().conditions() == null) {
            return null;
        }
        return k.getStatus().conditions().stream().filter(c -> "Ready".equals(c.type()) && !"Unknown".equals(c.status()))
                .findFirst().orElse(null);
    }
}
