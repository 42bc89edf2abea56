package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;

/** Reads a var's objref (api/types/var.go Target.GVK): apiVersion, else group and version fields. */
final class VarRef {
  private VarRef() {}

  static Gvk gvk(Object objref) {
    String kind = str(objref, "kind");
    String apiVersion = str(objref, "apiVersion");
    if (apiVersion == null || apiVersion.isEmpty()) {
      return new Gvk(str(objref, "group"), str(objref, "version"), kind);
    }
    return Gvk.of(apiVersion, kind);
  }

  private static String str(Object m, String key) {
    Object v = JsonTrees.getIgnoreCase(m, key);
    return v == null ? null : JsonTrees.scalarText(v);
  }
}
