package io.conflux.applier.apply;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which of a bundle's objects Conflux must not apply because Conflux itself plays their part: the toolkit
 * CustomResourceDefinitions it serves and Flux's controller Deployments. A repository bootstrapped by
 * {@code flux bootstrap} carries both in {@code clusters/<name>/flux-system/gotk-components.yaml}; applying them would
 * replace Conflux's CRDs by those of whichever Flux release bootstrapped the repository (a v0.x release serves only
 * {@code v1beta1}/{@code v1beta2}, so the versions Conflux's services watch would disappear) and would start Flux's
 * controllers beside Conflux, both reconciling the same objects. Pure: no I/O.
 *
 * <p>Rules, in order:
 * <ul>
 *   <li>a {@code CustomResourceDefinition} of a toolkit group ({@code *.toolkit.fluxcd.io},
 *       {@code source.extensions.fluxcd.io}) that the cluster already has is skipped, reason
 *       {@link #TOOLKIT_CRD_SKIPPED}, whatever versions it declares. Conflux skips rather than merges: a merge
 *       would still replace the served schemas and could move the storage version, and Conflux's model reads every
 *       kind at the storage version its own CRDs declare. One the cluster does not have (a kind Conflux does not
 *       serve, e.g. {@code image.toolkit.fluxcd.io}) is applied as Flux would;</li>
 *   <li>an {@code apps} {@code Deployment} labelled {@code app.kubernetes.io/part-of: flux} (Flux's controllers in
 *       every release's {@code gotk-components.yaml}) is skipped, reason {@link #FLUX_CONTROLLER_SKIPPED}.</li>
 * </ul>
 * Everything else — Namespace, ServiceAccounts, RBAC, Services, NetworkPolicies — is applied. The skipped objects are
 * neither in the new inventory nor pruned: {@link Selection#keep(List)} removes them from the previous inventory
 * before the prune.
 */
public final class ToolkitObjects {
    /** Event/condition reason of a skipped toolkit CRD. */
    public static final String TOOLKIT_CRD_SKIPPED = "ToolkitCRDSkipped";
    /** Event/condition reason of a skipped Flux controller Deployment. */
    public static final String FLUX_CONTROLLER_SKIPPED = "FluxControllerSkipped";
    /** The label Flux puts on all its components. */
    public static final String PART_OF = "app.kubernetes.io/part-of";

    private static final Set<String> EXTRA_TOOLKIT_GROUPS = Set.of("source.extensions.fluxcd.io");

    private ToolkitObjects() {
    }

    /**
     * The versions a cluster's CRD serves.
     *
     * @param served  served version names, e.g. {@code [v1, v1beta2]}
     * @param storage the storage version, e.g. {@code v1}
     */
    public record ServedCrd(List<String> served, String storage) {
    }

    /**
     * One object not applied.
     *
     * @param object  the object's inventory entry
     * @param reason  {@link #TOOLKIT_CRD_SKIPPED} or {@link #FLUX_CONTROLLER_SKIPPED}
     * @param message a sentence naming the object (and, for a CRD, its versions and those the cluster serves)
     */
    public record Skipped(InventoryEntry object, String reason, String message) {
    }

    /**
     * What to apply.
     *
     * @param apply   the objects to apply, in bundle order
     * @param skipped the objects left out, in bundle order
     */
    public record Selection(List<Map<String, Object>> apply, List<Skipped> skipped) {

        /** @return a selection that applies all of {@code objects} */
        public static Selection all(List<Map<String, Object>> objects) {
            return new Selection(objects, List.of());
        }

        /** @return {@code previous} without the skipped objects (matched by inventory id), so that none is pruned */
        public List<InventoryEntry> keep(List<InventoryEntry> previous) {
            Set<String> ids = new java.util.HashSet<>();
            skipped.forEach(s -> ids.add(s.object().id()));
            return previous.stream().filter(e -> !ids.contains(e.id())).toList();
        }

        /** @return one line per skipped object's message, joined by {@code "; "}; empty when none was skipped */
        public String summary() {
            return String.join("; ", skipped.stream().map(Skipped::message).toList());
        }
    }

    /**
     * @param desired      the bundle's objects (Kubernetes JSON as maps)
     * @param clusterCrds  the cluster's CRDs of toolkit groups that {@code desired} names, by
     *                     {@code metadata.name} ({@code <plural>.<group>}); a CRD absent here is not on the cluster
     * @return the objects to apply and those skipped with their reasons
     */
    public static Selection select(List<Map<String, Object>> desired, Map<String, ServedCrd> clusterCrds) {
        List<Map<String, Object>> apply = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Map<String, Object> object : desired) {
            String name = name(object);
            if (isCrd(object) && isToolkitGroup(crdGroup(object)) && clusterCrds.containsKey(name)) {
                ServedCrd served = clusterCrds.get(name);
                skipped.add(new Skipped(entry(object), TOOLKIT_CRD_SKIPPED, "CustomResourceDefinition/" + name
                        + " (versions " + String.join(", ", bundleVersions(object)) + ") not applied: Conflux serves "
                        + String.join(", ", served.served()) + " (storage " + served.storage() + ")"));
            } else if (isFluxController(object)) {
                skipped.add(new Skipped(entry(object), FLUX_CONTROLLER_SKIPPED, "Deployment/" + namespace(object)
                        + "/" + name + " not applied: Flux's controllers do not run beside Conflux"));
            } else {
                apply.add(object);
            }
        }
        return new Selection(apply, skipped);
    }

    /** @return the names of {@code desired}'s CRDs of toolkit groups, the ones {@link #select} needs from the cluster */
    public static List<String> toolkitCrdNames(List<Map<String, Object>> desired) {
        return desired.stream().filter(o -> isCrd(o) && isToolkitGroup(crdGroup(o))).map(ToolkitObjects::name)
                .toList();
    }

    /** @return whether {@code group} is one of Flux's API groups ({@code *.toolkit.fluxcd.io}, source-watcher's) */
    public static boolean isToolkitGroup(String group) {
        return group != null && (group.endsWith(".toolkit.fluxcd.io") || EXTRA_TOOLKIT_GROUPS.contains(group));
    }

    /** @return whether {@code object} is a Deployment (apps) labelled {@code app.kubernetes.io/part-of: flux} */
    public static boolean isFluxController(Map<String, Object> object) {
        return "Deployment".equals(object.get("kind")) && String.valueOf(object.get("apiVersion")).startsWith("apps/")
                && "flux".equals(labels(object).get(PART_OF));
    }

    private static boolean isCrd(Map<String, Object> object) {
        return "CustomResourceDefinition".equals(object.get("kind"))
                && String.valueOf(object.get("apiVersion")).startsWith("apiextensions.k8s.io/");
    }

    private static String crdGroup(Map<String, Object> crd) {
        return crd.get("spec") instanceof Map<?, ?> spec && spec.get("group") instanceof String g ? g : null;
    }

    private static List<String> bundleVersions(Map<String, Object> crd) {
        List<String> out = new ArrayList<>();
        if (crd.get("spec") instanceof Map<?, ?> spec && spec.get("versions") instanceof List<?> versions) {
            for (Object v : versions) {
                if (v instanceof Map<?, ?> m && m.get("name") instanceof String n) {
                    out.add(n + (Boolean.TRUE.equals(m.get("storage")) ? " (storage)" : ""));
                }
            }
        }
        return out;
    }

    private static InventoryEntry entry(Map<String, Object> object) {
        return InventoryEntry.of(String.valueOf(object.get("apiVersion")), String.valueOf(object.get("kind")),
                isCrd(object) ? null : namespace(object), name(object));
    }

    private static Map<?, ?> metadata(Map<String, Object> object) {
        return object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
    }

    private static Map<?, ?> labels(Map<String, Object> object) {
        return metadata(object).get("labels") instanceof Map<?, ?> l ? l : Map.of();
    }

    private static String name(Map<String, Object> object) {
        return Objects.toString(metadata(object).get("name"), "");
    }

    private static String namespace(Map<String, Object> object) {
        return Objects.toString(metadata(object).get("namespace"), "");
    }
}
