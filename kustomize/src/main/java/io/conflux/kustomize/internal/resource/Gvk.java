package io.conflux.kustomize.internal.resource;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Group, version and kind of an object (follows kyaml/resid/gvk.go). Empty strings stand for
 * "unset"; as a selector an unset field matches anything.
 */
public record Gvk(String group, String version, String kind) {

  /** Kinds printed first by the legacy order, in order (kyaml/resid/gvk.go orderFirst). */
  public static final List<String> ORDER_FIRST = List.of(
      "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
      "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
      "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
      "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget");

  /** Kinds printed last by the legacy order, in order (kyaml/resid/gvk.go orderLast). */
  public static final List<String> ORDER_LAST = List.of(
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration");

  /**
   * Cluster-scoped kinds by apiVersion, as known to the OpenAPI schema kustomize v5.7 embeds
   * (kyaml/openapi, Kubernetes v1.21.2). The match is exact: kinds or versions newer than that
   * schema (FlowSchema v1, ValidatingAdmissionPolicy, ...) and all custom resources count as
   * namespaced, exactly as {@code kustomize build} treats them.
   */
  private static final Map<String, Set<String>> CLUSTER_SCOPED = clusterScoped();

  private static Map<String, Set<String>> clusterScoped() {
    Map<String, Set<String>> m = new java.util.HashMap<>();
    java.util.function.BiConsumer<String, List<String>> add = (apiVersions, kinds) -> {
      for (String v : apiVersions.split(",")) {
        m.computeIfAbsent(v, k -> new java.util.HashSet<>()).addAll(kinds);
      }
    };
    add.accept("v1", List.of("Namespace", "Node", "PersistentVolume", "ComponentStatus"));
    add.accept("rbac.authorization.k8s.io/v1,rbac.authorization.k8s.io/v1beta1,rbac.authorization.k8s.io/v1alpha1",
        List.of("ClusterRole", "ClusterRoleBinding"));
    add.accept("apiextensions.k8s.io/v1,apiextensions.k8s.io/v1beta1", List.of("CustomResourceDefinition"));
    add.accept("apiregistration.k8s.io/v1,apiregistration.k8s.io/v1beta1", List.of("APIService"));
    add.accept("admissionregistration.k8s.io/v1,admissionregistration.k8s.io/v1beta1",
        List.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"));
    add.accept("storage.k8s.io/v1,storage.k8s.io/v1beta1",
        List.of("StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"));
    add.accept("storage.k8s.io/v1alpha1", List.of("VolumeAttachment"));
    add.accept("scheduling.k8s.io/v1,scheduling.k8s.io/v1beta1,scheduling.k8s.io/v1alpha1", List.of("PriorityClass"));
    add.accept("node.k8s.io/v1,node.k8s.io/v1beta1,node.k8s.io/v1alpha1", List.of("RuntimeClass"));
    add.accept("policy/v1beta1", List.of("PodSecurityPolicy"));
    add.accept("certificates.k8s.io/v1,certificates.k8s.io/v1beta1", List.of("CertificateSigningRequest"));
    add.accept("networking.k8s.io/v1,networking.k8s.io/v1beta1", List.of("IngressClass"));
    add.accept("flowcontrol.apiserver.k8s.io/v1beta1,flowcontrol.apiserver.k8s.io/v1alpha1",
        List.of("FlowSchema", "PriorityLevelConfiguration"));
    return Map.copyOf(m);
  }

  public Gvk {
    group = group == null ? "" : group;
    version = version == null ? "" : version;
    kind = kind == null ? "" : kind;
  }

  /** Splits an apiVersion ({@code apps/v1}, {@code v1}) into group and version. */
  public static Gvk of(String apiVersion, String kind) {
    if (apiVersion == null || apiVersion.isEmpty()) {
      return new Gvk("", "", kind);
    }
    int slash = apiVersion.lastIndexOf('/');
    if (slash < 0) {
      return new Gvk("", apiVersion, kind);
    }
    return new Gvk(apiVersion.substring(0, slash), apiVersion.substring(slash + 1), kind);
  }

  /** {@code group/version} or {@code version}. */
  public String apiVersion() {
    if (group.isEmpty()) {
      return version;
    }
    return group + "/" + version;
  }

  /** True when every set field of {@code selector} equals this one's (resid.Gvk.IsSelected). */
  public boolean isSelected(Gvk selector) {
    if (selector == null) {
      return true;
    }
    return (selector.group.isEmpty() || selector.group.equals(group))
        && (selector.version.isEmpty() || selector.version.equals(version))
        && (selector.kind.isEmpty() || selector.kind.equals(kind));
  }

  /** True for kinds kustomize knows to be served without a namespace (see {@link #CLUSTER_SCOPED}). */
  public boolean isClusterScoped() {
    Set<String> kinds = CLUSTER_SCOPED.get(apiVersion());
    return kinds != null && kinds.contains(kind);
  }

  /** The legacy sort string {@code group_version_kind} with {@code ~G ~V ~K} for empty parts. */
  public String sortString() {
    return (group.isEmpty() ? "~G" : group) + "_" + (version.isEmpty() ? "~V" : version) + "_"
        + (kind.isEmpty() ? "~K" : kind);
  }

  @Override
  public String toString() {
    return sortString();
  }
}
