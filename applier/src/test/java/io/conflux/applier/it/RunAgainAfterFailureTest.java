package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.embedded.Authorizer;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #12: a run that failed (here the management cluster refuses the status write, so the run itself fails) was
 * logged and never scheduled again. Every run must be followed by another. A run that fails as a whole is an error in
 * Flux's sense (kustomize-controller's deferred status patch joins its error to the one {@code Reconcile} returns), so
 * it runs again after the rate limiter's backoff — {@code conflux.applier.min-retry-delay} (750ms), doubling — not
 * after {@code spec.retryInterval}, which kustomize-controller keeps for a failed apply or health check: here that is
 * 1h, so only the backoff can bring the second and third runs within the test's patience.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class RunAgainAfterFailureTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String KEY = "Kustomization/default/flaky";

    @Inject
    Reconciler reconciler;

    @AfterEach
    void allowAll() {
        ApplierServices.kube.authorize(Authorizer.ALLOW_ALL);
    }

    @Test
    void aRunThatFailsIsRunAgainAndSucceedsOnceTheFaultIsGone() {
        KubernetesClient kube = ApplierServices.kube.client();
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"flaky\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\","
                + "\"retryInterval\":\"1h\",\"prune\":true,\"path\":\"./\",\"sourceRef\":{\"kind\":\"GitRepository\","
                + "\"name\":\"repo\"}}}", Kustomization.class)).create();
        long generation = kube.resources(Kustomization.class).inNamespace("default").withName("flaky").get()
                .getMetadata().getGeneration();

        // r1 applies normally (delivered again only if the applier's informer had not seen the object yet)
        RenderResult r1 = result(generation, 1);
        for (int i = 0; i < 6 && !"r1".equals(revisionOnCluster(kube)); i++) {
            reconciler.onRenderResult(r1).await().atMost(PATIENCE);
            awaitQuietly(Duration.ofSeconds(10), () -> "r1".equals(revisionOnCluster(kube)));
        }
        Await.until(PATIENCE, () -> readyAt(kube, "main@sha1:r1"));

        // the management cluster refuses the status writes of this object: r2's runs fail
        AtomicBoolean refuse = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        ApplierServices.kube.authorize(request -> {
            boolean statusWrite = "patch".equals(request.verb()) && "kustomizations".equals(request.resource())
                    && "flaky".equals(request.name());
            if (statusWrite && refuse.get()) {
                refused.incrementAndGet();
                return false;
            }
            return true;
        });
        reconciler.onRenderResult(result(generation, 2)).await().atMost(PATIENCE);
        Await.until(PATIENCE, () -> refused.get() >= 1);
        // ... and are run again after 750ms, then 1.5s (not the 1h retryInterval), without any new render result or event
        Await.until(PATIENCE, () -> refused.get() >= 3);

        refuse.set(false);
        Await.until(PATIENCE, () -> readyAt(kube, "main@sha1:r2"));
        assertThat(revisionOnCluster(kube)).isEqualTo("r2");
        assertThat(ApplierServices.queryOne("SELECT applied_revision FROM inventory WHERE object_key = ?", KEY))
                .isEqualTo("main@sha1:r2");
    }

    private static boolean readyAt(KubernetesClient kube, String revision) {
        Kustomization k = kube.resources(Kustomization.class).inNamespace("default").withName("flaky").get();
        return k.getStatus() != null && revision.equals(k.getStatus().lastAppliedRevision())
                && Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration());
    }

    private static void awaitQuietly(Duration patience, java.util.function.BooleanSupplier condition) {
        try {
            Await.until(patience, condition);
        } catch (AssertionError notYet) {
            // delivered again by the caller
        }
    }

    private static RenderResult result(long generation, long sequence) {
        String revision = "r" + sequence;
        String digest = "sha256:flaky-" + revision;
        ApplierServices.bundle(digest, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"flaky\","
                + "\"namespace\":\"default\"},\"data\":{\"revision\":\"" + revision + "\"}}]", 1);
        return new RenderResult(KEY, generation, "main@sha1:" + revision, digest, 1, null, null,
                "2026-12-06T16:00:00Z", sequence);
    }

    private static String revisionOnCluster(KubernetesClient kube) {
        ConfigMap cm = kube.configMaps().inNamespace("default").withName("flaky").get();
        return cm == null || cm.getData() == null ? null : cm.getData().get("revision");
    }
}
