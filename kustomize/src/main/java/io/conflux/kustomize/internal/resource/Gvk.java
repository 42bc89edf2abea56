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
   * Cluster-scoped kinds by group, as known to kustomize's built-in OpenAPI schema (Kubernetes
   * v1.21); kinds not listed (custom resources included) are namespaced.
   */
  private static final Map<String, Set<String>> CLUSTER_SCOPED = Map.ofEntries(
      Map.entry("", Set.of("Namespace", "Node", "PersistentVolume", "ComponentStatus")),
      Map.entry("rbac.authorization.k8s.io", Set.of("ClusterRole", "ClusterRoleBinding")),
      Map.entry("apiextensions.k8s.io", Set.of("CustomResourceDefinition")),
      Map.entry("apiregistration.k8s.io", Set.of("APIService")),
      Map.entry("admissionregistration.k8s.io",
          Set.of("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")),
      Map.entry("storage.k8s.io", Set.of("StorageClass", "CSIDriver", "CSINode", "VolumeAttachment")),
      Map.entry("scheduling.k8s.io", Set.of("PriorityClass")),
      Map.entry("node.k8s.io", Set.of("RuntimeClass")),
      Map.entry("policy", Set.of("PodSecurityPolicy")),
      Map.entry("extensions", Set.of("PodSecurityPolicy")),
      Map.entry("certificates.k8s.io", Set.of("CertificateSigningRequest")),
      Map.entry("networking.k8s.io", Set.of("IngressClass")),
      Map.entry("flowcontrol.apiserver.k8s.io", Set.of("FlowSchema", "PriorityLevelConfiguration")),
      Map.entry("authentication.k8s.io", Set.of("TokenReview")),
      Map.entry("authorization.k8s.io",
          Set.of("SubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview")));

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

  /** True for kinds Kubernetes serves without a namespace. */
  public boolean isClusterScoped() {
    Set<String> kinds = CLUSTER_SCOPED.get(group);
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
