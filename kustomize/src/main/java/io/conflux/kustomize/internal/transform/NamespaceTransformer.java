package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets the namespace of every namespaced object, of {@code default} service-account subjects of
 * (Cluster)RoleBindings, and of the fields of the {@code namespace} field specs (follows
 * api/filters/namespace and plugin/builtin/namespacetransformer). {@code roleBindingSubjects} is
 * kustomize's SetRoleBindingSubjects: {@code defaultOnly} (the default: subjects named
 * {@code default}), {@code allServiceAccounts} or {@code none}; {@code unsetOnly} leaves set
 * namespaces alone.
 */
public record NamespaceTransformer(String namespace, List<FieldSpec> fieldSpecs, boolean unsetOnly,
    String roleBindingSubjects) implements Transformer {

  /** The transformer of a kustomization's {@code namespace} field. */
  public NamespaceTransformer(String namespace, List<FieldSpec> fieldSpecs, boolean unsetOnly) {
    this(namespace, fieldSpecs, unsetOnly, "defaultOnly");
  }

  private boolean subjectSelected(Map<?, ?> subject) {
    return switch (roleBindingSubjects == null || roleBindingSubjects.isEmpty() ? "defaultOnly" : roleBindingSubjects) {
      case "allServiceAccounts" -> "ServiceAccount".equals(JsonTrees.string(subject, "kind"));
      case "none" -> false;
      default -> "default".equals(JsonTrees.string(subject, "name"));
    };
  }

  @Override
  public void transform(ResMap m) {
    if (namespace == null || namespace.isEmpty()) {
      return;
    }
    // How many resources have each current id (as ResId.matches compares them). Only r changes in each step, so
    // moving r's count keeps the map exact: the conflict check costs O(1) per resource instead of a scan.
    Map<List<Object>, Integer> idCounts = new HashMap<>();
    for (Resource r : m.resources()) {
      idCounts.merge(idKey(r.curId()), 1, Integer::sum);
    }
    for (Resource r : m.resources()) {
      if (r.isEmpty()) {
        continue;
      }
      idCounts.merge(idKey(r.curId()), -1, Integer::sum);
      r.storePreviousId();
      filter(r);
      ResId id = r.curId();
      if (idCounts.merge(idKey(id), 1, Integer::sum) != 1) {
        throw new KustomizeException("namespace transformation produces ID conflict: " + id);
      }
    }
  }

  /** What {@link ResId#matches} compares: gvk, name, effective namespace. */
  private static List<Object> idKey(ResId id) {
    return List.of(id.gvk(), id.name(), id.effectiveNamespace());
  }

  /**
   * The namespace filter alone on one resource (api/filters/namespace Filter): metadata.namespace of a namespaced
   * kind, RoleBinding/ClusterRoleBinding subjects, then the field specs; no previous id is stored and no id conflict
   * is checked (the transformer's part, see {@link #transform}).
   */
  public void filter(Resource r) {
    Gvk gvk = r.gvk();
    Map<String, Object> obj = r.object();
    if (!gvk.isClusterScoped()) {
      if (!unsetOnly || r.namespace().isEmpty()) {
        r.setNamespace(namespace);
      }
    }
    if (gvk.kind().equals("RoleBinding") || gvk.kind().equals("ClusterRoleBinding")) {
      List<Object> subjects = JsonTrees.list(obj, "subjects");
      if (subjects != null) {
        for (Object s : subjects) {
          if (s instanceof Map<?, ?> sm && subjectSelected(sm)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> subject = (Map<String, Object>) sm;
            if (!unsetOnly || JsonTrees.string(subject, "namespace") == null) {
              subject.put("namespace", namespace);
            }
          }
        }
      }
    }
    for (FieldSpec fs : fieldSpecs) {
      if (fs.path().equals("metadata/namespace")) {
        continue;
      }
      if (fs.path().equals("subjects") && (fs.gvk().kind().equals("RoleBinding")
          || fs.gvk().kind().equals("ClusterRoleBinding"))) {
        continue;
      }
      if (fs.path().equals("metadata/name") && fs.gvk().kind().equals("Namespace")
          && !"v1".equals(JsonTrees.string(obj, "apiVersion"))) {
        continue;
      }
      FieldWalker.walk(obj, gvk, fs, FieldWalker.CreateKind.SCALAR, slot -> {
        Object cur = slot.get();
        if (unsetOnly && cur != null && !String.valueOf(cur).isEmpty()) {
          return;
        }
        slot.set(namespace);
      });
    }
  }
}
