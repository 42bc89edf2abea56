package io.conflux.applier.release;

import io.conflux.applier.apply.ApplyOptions;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.CrdPolicy;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * helm-controller's drift detection and correction of a released HelmRelease ({@code spec.driftDetection}), on its
 * target cluster: each object of the released bundle that the release owns (its inventory) is read and compared
 * ({@link ObjectDrift}) without the rules' ignored paths; CustomResourceDefinitions (which a release does not manage
 * after creating them) and objects annotated or labelled {@code helm.toolkit.fluxcd.io/driftDetection: disabled} are
 * left out. Correction re-applies only the drifted objects, without their ignored paths, by server-side apply (a
 * removed object is created again); nothing is pruned. Blocking: call from a worker thread.
 */
public final class ReleaseDrift {
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

    /**
     * One drifted object.
     *
     * @param drift   how it drifted
     * @param desired the object to apply to correct it (the ignored paths left out)
     */
    public record Drifted(ObjectDrift drift, Map<String, Object> desired) {
    }

    private final KubernetesClient client;
    private final DriftDetection detection;

    /**
     * @param client    the release's target cluster
     * @param detection {@code spec.driftDetection}
     */
    public ReleaseDrift(KubernetesClient client, DriftDetection detection) {
        this.client = client;
        this.detection = detection;
    }

    /**
     * @param objects  the released bundle's objects
     * @param owned    the release's inventory (where each object lives)
     * @return the drifted objects, in bundle order
     */
    public List<Drifted> detect(List<Map<String, Object>> objects, List<InventoryEntry> owned) {
        List<Drifted> out = new ArrayList<>();
        for (Map<String, Object> object : objects) {
            InventoryEntry entry = find(object, owned);
            if (entry == null || "CustomResourceDefinition".equals(entry.kind()) || disabled(object)) {
                continue;
            }
            var kind = client.genericKubernetesResources(entry.apiVersion(), entry.kind());
            GenericKubernetesResource live = entry.namespace().isEmpty() ? kind.withName(entry.name()).get()
                    : kind.inNamespace(entry.namespace()).withName(entry.name()).get();
            @SuppressWarnings("unchecked")
            Map<String, Object> tree = live == null ? null : KUBERNETES_JSON.convertValue(live, Map.class);
            if (tree != null && disabled(tree)) {
                continue;
            }
            List<String> ignored = detection.ignoredPaths(object, entry.namespace());
            ObjectDrift.of(entry.subject(), object, tree, ignored)
                    .ifPresent(d -> out.add(new Drifted(d, ObjectDrift.without(object, ignored))));
        }
        return out;
    }

    /**
     * Applies the drifted objects again.
     *
     * @param applier     applies to the same cluster
     * @param drifted     what {@link #detect} found
     * @param ownerLabels the release's owner labels
     * @param owned       the release's inventory, kept as it is
     * @param timeout     how long a recreated object may take to go
     * @return the corrections as changes, with {@code owned} as the inventory; a failure names the object
     */
    public static ApplyResult correct(ObjectApplier applier, List<Drifted> drifted, Map<String, String> ownerLabels,
                                      List<InventoryEntry> owned, Duration timeout) {
        ApplyResult applied = applier.apply(drifted.stream().map(Drifted::desired).toList(), ownerLabels, List.of(),
                ApplyOptions.helm(false, false, timeout, CrdPolicy.CREATE_REPLACE));
        return new ApplyResult(applied.changes(), owned, applied.error(), applied.reason());
    }

    private static InventoryEntry find(Map<String, Object> object, List<InventoryEntry> owned) {
        InventoryEntry probe = InventoryEntry.of(String.valueOf(object.get("apiVersion")), String.valueOf(object.get("kind")),
                null, name(object));
        String namespace = namespace(object);
        return owned.stream().filter(e -> e.group().equals(probe.group()) && e.kind().equals(probe.kind())
                        && e.name().equals(probe.name()) && (namespace == null || e.namespace().isEmpty()
                        || e.namespace().equals(namespace)))
                .findFirst().orElse(null);
    }

    private static boolean disabled(Map<String, Object> object) {
        Map<?, ?> metadata = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        for (String where : List.of("annotations", "labels")) {
            if (metadata.get(where) instanceof Map<?, ?> values
                    && "disabled".equals(values.get(DriftDetection.OBJECT_KEY))) {
                return true;
            }
        }
        return false;
    }

    private static String name(Map<String, Object> object) {
        return object.get("metadata") instanceof Map<?, ?> m ? String.valueOf(m.get("name")) : "";
    }

    private static String namespace(Map<String, Object> object) {
        return object.get("metadata") instanceof Map<?, ?> m && m.get("namespace") != null
                ? String.valueOf(m.get("namespace")) : null;
    }
}
