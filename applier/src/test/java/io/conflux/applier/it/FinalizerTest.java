package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.embedded.Authorizer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deletion through {@code finalizers.fluxcd.io}, as kustomize-controller: the applier adds the finalizer to what it
 * reconciles; a deleted Kustomization with {@code prune: true} has its objects pruned, and only then are its rows
 * dropped and the finalizer removed; a prune the target refuses keeps the inventory row and the finalizer, reports
 * {@code Ready=False PruneFailed} and is tried again until it succeeds.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class FinalizerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String KEY = "Kustomization/default/doomed";

    @Inject
    Reconciler reconciler;

    @AfterEach
    void allowAll() {
        ApplierServices.kube.authorize(Authorizer.ALLOW_ALL);
    }

    @Test
    void aFailedPruneKeepsTheInventoryAndTheFinalizerAndIsRetriedUntilTheObjectsAreGone() {
        KubernetesClient kube = ApplierServices.kube.client();
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"doomed\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\","
                + "\"prune\":true,\"path\":\"./\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"}}}",
                Kustomization.class)).create();
        long generation = kustomization(kube).getMetadata().getGeneration();
        String digest = "sha256:doomed-r1";
        ApplierServices.bundle(digest, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"doomed\","
                + "\"namespace\":\"default\"},\"data\":{\"a\":\"1\"}}]", 1);
        RenderResult r1 = new RenderResult(KEY, generation, "main@sha1:r1", digest, 1, null, null, "2026-12-06T16:00:00Z", 1L);
        for (int i = 0; i < 6 && !configMapExists(kube); i++) {
            reconciler.onRenderResult(r1).await().atMost(PATIENCE);
            awaitQuietly(Duration.ofSeconds(10), () -> configMapExists(kube));
        }
        Await.until(PATIENCE, () -> kustomization(kube).getMetadata().getFinalizers().contains("finalizers.fluxcd.io"));

        // the target refuses to delete the ConfigMap
        AtomicBoolean refuse = new AtomicBoolean(true);
        ApplierServices.kube.authorize(request -> !(refuse.get() && "delete".equals(request.verb())
                && "configmaps".equals(request.resource()) && "doomed".equals(request.name())));
        kube.resources(Kustomization.class).inNamespace("default").withName("doomed").delete();

        Await.until(PATIENCE, () -> readyReason(kustomization(kube)).equals("PruneFailed"));
        Kustomization deleting = kustomization(kube);
        assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotBlank();
        assertThat(deleting.getMetadata().getFinalizers()).contains("finalizers.fluxcd.io");
        assertThat(Conditions.find(deleting.getStatus().conditions(), Condition.READY)).get()
                .extracting(Condition::status).isEqualTo("False");
        assertThat(configMapExists(kube)).isTrue();
        assertThat(ApplierServices.queryOne("SELECT applied_revision FROM inventory WHERE object_key = ?", KEY))
                .isEqualTo("main@sha1:r1");

        // the fault goes: the retry prunes, drops the rows and removes the finalizer, and the Kustomization goes
        refuse.set(false);
        Await.until(PATIENCE, () -> kube.resources(Kustomization.class).inNamespace("default").withName("doomed").get() == null);
        assertThat(configMapExists(kube)).isFalse();
        assertThat(ApplierServices.queryOne("SELECT count(*) FROM inventory WHERE object_key = ?", KEY)).isEqualTo("0");
        assertThat(ApplierServices.queryOne("SELECT count(*) FROM desired_state WHERE object_key = ?", KEY)).isEqualTo("0");
        assertThat(ApplierServices.queryOne("SELECT count(*) FROM reconcile_history WHERE object_key = ? AND reason = 'PruneFailed'",
                KEY)).isNotEqualTo("0");
    }

    private static Kustomization kustomization(KubernetesClient kube) {
        return kube.resources(Kustomization.class).inNamespace("default").withName("doomed").get();
    }

    private static String readyReason(Kustomization k) {
        return k == null || k.getStatus() == null ? "" : Conditions.find(k.getStatus().conditions(), Condition.READY)
                .map(Condition::reason).orElse("");
    }

    private static boolean configMapExists(KubernetesClient kube) {
        return kube.configMaps().inNamespace("default").withName("doomed").get() != null;
    }

    private static void awaitQuietly(Duration patience, java.util.function.BooleanSupplier condition) {
        try {
            Await.until(patience, condition);
        } catch (AssertionError notYet) {
            // delivered again by the caller
        }
    }
}
