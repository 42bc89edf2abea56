package io.conflux.kustomize.internal.resource;

/**
 * The identity of an object: gvk, name and namespace (follows kyaml/resid/resid.go). An empty
 * namespace of a namespaced kind means {@code default}.
 */
public record ResId(Gvk gvk, String name, String namespace) {
  /** The namespace kustomize sorts and compares cluster-scoped objects with. */
  public static final String NOT_A_NAMESPACE = "_non_namespaceable_";

  public ResId {
    name = name == null ? "" : name;
    namespace = namespace == null ? "" : namespace;
  }

  /** {@code default} for an unset namespace, a marker for cluster-scoped kinds. */
  public String effectiveNamespace() {
    if (gvk.isClusterScoped()) {
      return NOT_A_NAMESPACE;
    }
    return namespace.isEmpty() ? "default" : namespace;
  }

  /** ResId.Equals: same gvk, name and effective namespace. */
  public boolean matches(ResId o) {
    return gvk.equals(o.gvk) && name.equals(o.name) && isNsEquals(o);
  }

  /** Same effective namespace. */
  public boolean isNsEquals(ResId o) {
    return effectiveNamespace().equals(o.effectiveNamespace());
  }

  /** True when this id is cluster scoped. */
  public boolean isClusterScoped() {
    return gvk.isClusterScoped();
  }

  /**
   * The legacy order's tiebreak string (kyaml resid.ResId.String): gvk, namespace (or {@code ~X})
   * and name (or {@code ~N}); an unset namespace therefore sorts after set ones.
   */
  public String legacySortString() {
    return gvk.sortString() + "|" + (namespace.isEmpty() ? "~X" : namespace) + "|" + (name.isEmpty() ? "~N" : name);
  }

  /**
   * kyaml's {@code resid.ResId.String()}: {@code Kind.version.group/name.namespace}, an unset part as {@code [noKind]},
   * {@code [noVer]}, {@code [noGrp]}, {@code [noName]} or {@code [noNs]}, e.g. {@code Deployment.v1.[noGrp]/proxy.[noNs]};
   * what kustomize's error messages name an object by.
   */
  public String kyamlString() {
    return orNo(gvk.kind(), "[noKind]") + "." + orNo(gvk.version(), "[noVer]") + "." + orNo(gvk.group(), "[noGrp]")
        + "/" + orNo(name, "[noName]") + "." + orNo(namespace, "[noNs]");
  }

  private static String orNo(String s, String none) {
    return s == null || s.isEmpty() ? none : s;
  }

  /** The legacy order's tiebreak string, e.g. {@code ~G_v1_Deployment|~X|proxy} (see {@link #kyamlString}). */
  @Override
  public String toString() {
    return legacySortString();
  }
}
