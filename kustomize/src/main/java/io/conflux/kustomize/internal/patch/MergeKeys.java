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
  /** Kinds by apiVersion in the Kubernetes v1.21 OpenAPI schema kustomize v5.7 embeds. */
  private static final Map<String, Set<String>> SCHEMA = schema();

  private static Map<String, Set<String>> schema() {
    Map<String, Set<String>> m = new java.util.HashMap<>();
    java.util.function.BiConsumer<String, String> add = (apiVersions, kinds) -> {
      for (String v : apiVersions.split(",")) {
        m.computeIfAbsent(v, k -> new java.util.HashSet<>()).addAll(List.of(kinds.split(",")));
      }
    };
    add.accept("v1", "Binding,ComponentStatus,ConfigMap,Endpoints,Event,LimitRange,Namespace,Node,PersistentVolume,"
        + "PersistentVolumeClaim,Pod,PodTemplate,ReplicationController,ResourceQuota,Secret,Service,ServiceAccount");
    add.accept("apps/v1", "ControllerRevision,DaemonSet,Deployment,ReplicaSet,StatefulSet");
    add.accept("batch/v1", "Job,CronJob");
    add.accept("batch/v1beta1", "CronJob");
    add.accept("autoscaling/v1,autoscaling/v2beta1,autoscaling/v2beta2", "HorizontalPodAutoscaler");
    add.accept("policy/v1", "PodDisruptionBudget,Eviction");
    add.accept("policy/v1beta1", "PodDisruptionBudget,PodSecurityPolicy,Eviction");
    add.accept("networking.k8s.io/v1", "Ingress,IngressClass,NetworkPolicy");
    add.accept("networking.k8s.io/v1beta1", "Ingress,IngressClass");
    add.accept("extensions/v1beta1", "Ingress");
    add.accept("rbac.authorization.k8s.io/v1,rbac.authorization.k8s.io/v1beta1,rbac.authorization.k8s.io/v1alpha1",
        "Role,RoleBinding,ClusterRole,ClusterRoleBinding");
    add.accept("storage.k8s.io/v1", "StorageClass,VolumeAttachment,CSIDriver,CSINode");
    add.accept("storage.k8s.io/v1beta1", "StorageClass,VolumeAttachment,CSIDriver,CSINode,CSIStorageCapacity");
    add.accept("storage.k8s.io/v1alpha1", "VolumeAttachment,CSIStorageCapacity");
    add.accept("admissionregistration.k8s.io/v1,admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration,ValidatingWebhookConfiguration");
    add.accept("apiextensions.k8s.io/v1,apiextensions.k8s.io/v1beta1", "CustomResourceDefinition");
    add.accept("scheduling.k8s.io/v1,scheduling.k8s.io/v1beta1,scheduling.k8s.io/v1alpha1", "PriorityClass");
    add.accept("coordination.k8s.io/v1,coordination.k8s.io/v1beta1", "Lease");
    add.accept("discovery.k8s.io/v1,discovery.k8s.io/v1beta1", "EndpointSlice");
    add.accept("node.k8s.io/v1,node.k8s.io/v1beta1,node.k8s.io/v1alpha1", "RuntimeClass");
    add.accept("certificates.k8s.io/v1,certificates.k8s.io/v1beta1", "CertificateSigningRequest");
    add.accept("events.k8s.io/v1,events.k8s.io/v1beta1", "Event");
    add.accept("apiregistration.k8s.io/v1,apiregistration.k8s.io/v1beta1", "APIService");
    add.accept("flowcontrol.apiserver.k8s.io/v1beta1,flowcontrol.apiserver.k8s.io/v1alpha1",
        "FlowSchema,PriorityLevelConfiguration");
    return Map.copyOf(m);
  }

  private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");

  /** Lists keyed the same wherever they occur in a built-in type. */
  private static final Map<String, String> KEYED_BY_FIELD = Map.ofEntries(
      Map.entry("containers", "name"),
      Map.entry("initContainers", "name"),
      Map.entry("ephemeralContainers", "name"),
      Map.entry("volumeMounts", "mountPath"),
      Map.entry("volumeDevices", "devicePath"),
      Map.entry("hostAliases", "ip"),
      Map.entry("ownerReferences", "uid"),
      Map.entry("conditions", "type"),
      Map.entry("podIPs", "ip"));

  private MergeKeys() {}

  /**
   * True when kustomize's embedded schema (Kubernetes v1.21) knows this apiVersion and kind;
   * others (e.g. extensions/v1beta1 Deployment, autoscaling/v2) have their lists replaced.
   */
  public static boolean isBuiltin(Gvk gvk) {
    Set<String> kinds = SCHEMA.get(gvk.apiVersion());
    return kinds != null && kinds.contains(gvk.kind());
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
          return ListStrategy.byKeys(List.of("containerPort", "protocol"), Map.of());
        }
        if (gvk.kind().equals("Service") && path.size() == 2 && parent.equals("spec")) {
          return ListStrategy.byKeys(List.of("port", "protocol"), Map.of());
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
      case "topologySpreadConstraints":
        return ListStrategy.byKeys(List.of("topologyKey", "whenUnsatisfiable"), Map.of());
      case "imagePullSecrets":
        return parent.equals("spec") ? ListStrategy.byKey("name") : ListStrategy.REPLACE;
      case "secrets":
        return gvk.kind().equals("ServiceAccount") ? ListStrategy.byKey("name") : ListStrategy.REPLACE;
      default:
        String key = KEYED_BY_FIELD.get(field);
        return key != null ? ListStrategy.byKey(key) : ListStrategy.REPLACE;
    }
  }
}
