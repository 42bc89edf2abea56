package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.kustomize.Kustomization;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.deletionPolicy} on the embedded API server, as kustomize-controller's finalizer: what happens to a
 * deleted Kustomization's ConfigMap under {@code MirrorPrune} (by {@code prune}), {@code Delete}, {@code Orphan} and
 * {@code WaitForTermination} — which keeps the Kustomization until the ConfigMap, held by a finalizer of its own, is
 * gone, where {@code Delete} lets the Kustomization go at once.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class DeletionPolicyTest {
    private static final String HOLD = "example.com/hold";

    @Inject
    Reconciler reconciler;

    @Test
    void mirrorPruneWithoutPruneAndOrphanLeaveTheObjects() {
        KubernetesClient kube = ApplierServices.kube.client();
        deployAndDelete(kube, "mirror-keep", "\"prune\":false", false);
        deployAndDelete(kube, "orphan", "\"prune\":true,\"deletionPolicy\":\"Orphan\"", false);
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.get(kube, "mirror-keep") == null
                && Kustomizations.get(kube, "orphan") == null);
        assertThat(configMap(kube, "mirror-keep")).isNotNull();
        assertThat(configMap(kube, "orphan")).isNotNull();
        assertThat(configMap(kube, "orphan").getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void mirrorPruneWithPruneAndDeleteWithoutPruneDeleteTheObjects() {
        KubernetesClient kube = ApplierServices.kube.client();
        deployAndDelete(kube, "mirror-prune", "\"prune\":true", false);
        deployAndDelete(kube, "delete", "\"prune\":false,\"deletionPolicy\":\"Delete\"", false);
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.get(kube, "mirror-prune") == null
                && Kustomizations.get(kube, "delete") == null);
        assertThat(configMap(kube, "mirror-prune")).isNull();
        assertThat(configMap(kube, "delete")).isNull();
    }

    @Test
    void waitForTerminationKeepsTheKustomizationUntilTheObjectsAreGone() {
        KubernetesClient kube = ApplierServices.kube.client();
        deployAndDelete(kube, "wait-term", "\"prune\":false,\"deletionPolicy\":\"WaitForTermination\",\"timeout\":\"5m\"", true);

        // the ConfigMap is being deleted but held by its own finalizer: the Kustomization waits with its finalizer
        Await.until(Kustomizations.PATIENCE, () -> configMap(kube, "wait-term") != null
                && configMap(kube, "wait-term").getMetadata().getDeletionTimestamp() != null);
        assertThat(Kustomizations.finalized(kube, "wait-term")).isTrue();

        release(kube, "wait-term");
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.get(kube, "wait-term") == null);
        assertThat(configMap(kube, "wait-term")).isNull();
    }

    @Test
    void deleteDoesNotWaitForTheObjectsToTerminate() {
        KubernetesClient kube = ApplierServices.kube.client();
        deployAndDelete(kube, "delete-nowait", "\"deletionPolicy\":\"Delete\",\"timeout\":\"5m\"", true);
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.get(kube, "delete-nowait") == null);
        ConfigMap held = configMap(kube, "delete-nowait");
        assertThat(held).isNotNull();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        release(kube, "delete-nowait");
        Await.until(Kustomizations.PATIENCE, () -> configMap(kube, "delete-nowait") == null);
    }

    /**
     * Creates Kustomization {@code name} applying ConfigMap {@code name} (then given {@link #HOLD} as a finalizer when
     * {@code held}), waits until the applier put its finalizer on, then deletes it.
     */
    private void deployAndDelete(KubernetesClient kube, String name, String spec, boolean held) {
        long generation = Kustomizations.create(kube, name, spec);
        Kustomizations.render(reconciler, name, generation, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                + "{\"name\":\"" + name + "\",\"namespace\":\"default\"},\"data\":{\"a\":\"1\"}}]", 1,
                () -> configMap(kube, name) != null);
        if (held) { // as another controller would
            kube.configMaps().inNamespace("default").withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":[\"" + HOLD + "\"]}}");
        }
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.finalized(kube, name)
                && ApplierServices.queryOne("SELECT count(*) FROM inventory WHERE object_key = ?",
                "Kustomization/default/" + name).equals("1"));
        kube.resources(Kustomization.class).inNamespace("default").withName(name).delete();
    }

    private static ConfigMap configMap(KubernetesClient kube, String name) {
        return kube.configMaps().inNamespace("default").withName(name).get();
    }

    /** Removes {@link #HOLD} from ConfigMap {@code name}, which then goes. */
    private static void release(KubernetesClient kube, String name) {
        kube.configMaps().inNamespace("default").withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }
}
