package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The race of issue #12: a spec edit racing a new revision makes the renderer publish (gen N, r2) and then
 * (gen N, r1). The applier must neither store r1 over r2 as the desired state nor apply it (an unasked-for rollback);
 * a later revision r3 still applies.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class MonotonicRevisionTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    Reconciler reconciler;

    @Test
    void anOlderRevisionOfTheSameGenerationArrivingLateIsNeitherStoredNorApplied() {
        KubernetesClient kube = ApplierServices.kube.client();
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"race\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\",\"prune\":true,"
                + "\"path\":\"./\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"}}}", Kustomization.class)).create();
        long generation = kube.resources(Kustomization.class).inNamespace("default").withName("race").get()
                .getMetadata().getGeneration();
        RenderResult r1 = result(generation, 1);
        RenderResult r2 = result(generation, 2);
        RenderResult r3 = result(generation, 3);

        // r2 arrives first and is applied (sent again until the applier's informer has seen the Kustomization)
        Await.until(PATIENCE, () -> {
            reconciler.onRenderResult(r2).await().atMost(PATIENCE);
            return "r2".equals(revisionOnCluster(kube));
        });

        // r1, rendered before r2 from the same generation, arrives late
        reconciler.onRenderResult(r1).await().atMost(PATIENCE);
        assertThat(ApplierServices.queryOne("SELECT source_revision FROM desired_state WHERE object_key = ?",
                "Kustomization/default/race")).isEqualTo(r2.sourceRevision());

        // r3 goes through the same per-object queue after r1: once it is applied, r1's turn is over
        reconciler.onRenderResult(r3).await().atMost(PATIENCE);
        Await.until(PATIENCE, () -> "r3".equals(revisionOnCluster(kube)));
        assertThat(ApplierServices.queryOne("SELECT count(*) FROM reconcile_history WHERE object_key = ? AND ready"
                + " AND source_revision = 'main@sha1:r1'", "Kustomization/default/race")).isEqualTo("0");
    }

    private static RenderResult result(long generation, long sequence) {
        String revision = "r" + sequence;
        String digest = "sha256:race-" + revision;
        ApplierServices.bundle(digest, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"race\","
                + "\"namespace\":\"default\"},\"data\":{\"revision\":\"" + revision + "\"}}]", 1);
        return new RenderResult("Kustomization/default/race", generation, "main@sha1:" + revision, digest, 1, null, null,
                "2026-12-06T16:00:00Z", sequence);
    }

    private static String revisionOnCluster(KubernetesClient kube) {
        ConfigMap cm = kube.configMaps().inNamespace("default").withName("race").get();
        return cm == null || cm.getData() == null ? null : cm.getData().get("revision");
    }
}
