package io.conflux.applier.it;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Creating Kustomizations in {@code default}, handing them a rendered bundle and reading their Ready condition. */
final class Kustomizations {
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private Kustomizations() {
    }

    /**
     * Creates Kustomization {@code default/name} with {@code spec} fields (besides interval, path and sourceRef; and
     * {@code prune: false} unless {@code spec} sets it, as Flux's v1 schema requires the field).
     *
     * @return its generation
     */
    static long create(KubernetesClient kube, String name, String spec) {
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\","
                + "\"path\":\"./\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"}"
                + (spec.contains("\"prune\"") ? "" : ",\"prune\":false")
                + (spec.isEmpty() ? "" : "," + spec) + "}}", Kustomization.class)).create();
        return get(kube, name).getMetadata().getGeneration();
    }

    /**
     * Stores {@code bundle} (a JSON array) and hands its render result to the reconciler until {@code applied} holds:
     * the informer may not have seen the new Kustomization when the first result arrives.
     */
    static void render(Reconciler reconciler, String name, long generation, String bundle, int objects,
                       BooleanSupplier applied) {
        String digest = "sha256:" + name + "-r1";
        ApplierServices.bundle(digest, bundle, objects);
        RenderResult result = new RenderResult("Kustomization/default/" + name, generation, "main@sha1:r1", digest, objects,
                null, null, "2026-12-06T16:00:00Z", 1L);
        for (int i = 0; i < 6 && !applied.getAsBoolean(); i++) {
            reconciler.onRenderResult(result).await().atMost(PATIENCE);
            try {
                Await.until(Duration.ofSeconds(10), applied);
            } catch (AssertionError notYet) {
                // delivered again
            }
        }
        Await.until(PATIENCE, applied);
    }

    /** @return Kustomization {@code default/name}, or null */
    static Kustomization get(KubernetesClient kube, String name) {
        return kube.resources(Kustomization.class).inNamespace("default").withName(name).get();
    }

    /** @return its Ready condition, or null */
    static Condition ready(KubernetesClient kube, String name) {
        Kustomization k = get(kube, name);
        return k == null || k.getStatus() == null ? null
                : Conditions.find(k.getStatus().conditions(), Condition.READY).orElse(null);
    }

    /** @return whether it exists and holds {@code finalizers.fluxcd.io} */
    static boolean finalized(KubernetesClient kube, String name) {
        Kustomization k = get(kube, name);
        return k != null && k.getMetadata().getFinalizers() != null
                && k.getMetadata().getFinalizers().contains("finalizers.fluxcd.io");
    }
}
