package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.internal.resource.Gvk;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The patch strategy and merge key of lists in built-in Kubernetes types, as declared by
 * {@code x-kubernetes-patch-strategy} / {@code x-kubernetes-patch-merge-key} in the Kubernetes
 * OpenAPI schema kustomize embeds (kyaml/openapi). Lists of other (custom) types have no schema
 * and are replaced, as kustomize's strategic merge does not infer associative lists.
 */
public final class MergeKeys {
  private static final Set<String> BUILTIN_GROUPS = Set.of("", "apps", "batch", "autoscaling", "policy",
      "extensions", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
      "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
      "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io", "events.k8s.io", "apiregistration.k8s.io",
      "flowcontrol.apiserver.k8s.io", "authentication.k8s.io", "authorization.k8s.io");

  private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");

  /** Lists keyed the same wherever they occur in a built-in type. */
  private static final Map<String, String> KEYED_BY_FIELD = Map.ofEntries(
      Map.entry("containers", "name"),
      Map.entry("initContainers", "name"),
      Map.entry("ephemeralContainers", "name"),
      Map.entry("volumeMounts", "mountPath"),
      Map.entry("volumeDevices", "devicePath"),
      Map.entry("imagePullSecrets", "name"),
      Map.entry("hostAliases", "ip"),
      Map.entry("topologySpreadConstraints", "topologyKey"),
      Map.entry("ownerReferences", "uid"),
      Map.entry("conditions", "type"),
      Map.entry("resourceClaims", "name"),
      Map.entry("schedulingGates", "name"),
      Map.entry("podIPs", "ip"));

  private MergeKeys() {}

  /** True when kustomize knows a schema for this gvk (a built-in Kubernetes group). */
  public static boolean isBuiltin(Gvk gvk) {
    return BUILTIN_GROUPS.contains(gvk.group()) && !gvk.kind().isEmpty();
  }

  /**
   * The strategy of the list at {@code path} (field names from the object root, list indexes
   * left out) in an object of {@code gvk}.
   */
  public static ListStrategy strategy(Gvk gvk, List<String> path) {
    if (!isBuiltin(gvk)) {
      return ListStrategy.REPLACE;
    }
    String field = path.get(path.size() - 1);
    String parent = path.size() > 1 ? path.get(path.size() - 2) : "";
    boolean inContainer = path.size() > 1 && CONTAINER_LISTS.contains(parent);
    switch (field) {
      case "ports":
        if (inContainer) {
          return ListStrategy.byKey("containerPort");
        }
        if (gvk.kind().equals("Service") && path.size() == 2 && parent.equals("spec")) {
          return ListStrategy.byKey("port");
        }
        return ListStrategy.REPLACE;
      case "env":
        return inContainer ? ListStrategy.byKey("name") : ListStrategy.REPLACE;
      case "volumes":
        return parent.equals("spec") ? ListStrategy.byKey("name") : ListStrategy.REPLACE;
      case "finalizers":
        return parent.equals("metadata") ? ListStrategy.PRIMITIVES : ListStrategy.REPLACE;
      case "webhooks":
        return gvk.group().equals("admissionregistration.k8s.io") ? ListStrategy.byKey("name") : ListStrategy.REPLACE;
      case "taints":
        return gvk.kind().equals("Node") ? ListStrategy.byKey("key") : ListStrategy.REPLACE;
      case "secrets":
        return gvk.kind().equals("ServiceAccount") ? ListStrategy.byKey("name") : ListStrategy.REPLACE;
      default:
        String key = KEYED_BY_FIELD.get(field);
        return key != null ? ListStrategy.byKey(key) : ListStrategy.REPLACE;
    }
  }
}
