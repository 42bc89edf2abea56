package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.TransformerConfig;
import io.conflux.kustomize.internal.resource.ResMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a kustomization accumulates while it is built: its resources, the transformer
 * configuration in force, and its vars (follows api/internal/accumulator/resaccumulator.go).
 */
public final class Accumulator {
  private final ResMap resMap = new ResMap();
  private final TransformerConfig config = TransformerConfig.empty();
  private final List<Map<String, Object>> vars = new ArrayList<>();

  /** The accumulated resources. */
  public ResMap resMap() {
    return resMap;
  }

  /** The transformer configuration in force (defaults plus configurations of this tree). */
  public TransformerConfig config() {
    return config;
  }

  /** The declared vars, as written in the kustomizations. */
  public List<Map<String, Object>> vars() {
    return vars;
  }

  /**
   * Takes over the vars of a sub-kustomization (ResAccumulator.MergeAccumulator): they stay
   * attached to the resources they were declared on.
   */
  public void mergeAccumulatedVars(List<Map<String, Object>> incoming) {
    for (Map<String, Object> v : incoming) {
      checkUnique(JsonTrees.string(v, "name"));
      vars.add(v);
    }
  }

  private void checkUnique(String name) {
    for (Map<String, Object> existing : vars) {
      if (JsonTrees.string(existing, "name").equals(name)) {
        throw new KustomizeException("var '" + name + "' already encountered");
      }
    }
  }

  /**
   * Declares vars (ResAccumulator.MergeVars): each is attached to the one resource whose original
   * id it names (gvk and name; namespace too when given), and a name may be declared once.
   */
  public void mergeVars(List<Map<String, Object>> incoming) {
    for (Map<String, Object> v : incoming) {
      String name = JsonTrees.string(v, "name");
      if (name == null || name.isEmpty()) {
        throw new KustomizeException("a var needs a name (vars[" + incoming.indexOf(v) + "])");
      }
      Object objref = JsonTrees.getIgnoreCase(v, "objref");
      io.conflux.kustomize.internal.resource.Gvk gvk = VarRef.gvk(objref);
      String refName = JsonTrees.string(objref, "name");
      String refNs = JsonTrees.string(objref, "namespace");
      io.conflux.kustomize.internal.resource.ResId target =
          new io.conflux.kustomize.internal.resource.ResId(gvk, refName, refNs);
      boolean exactNs = refNs != null && !refNs.isEmpty() || gvk.isClusterScoped();
      List<io.conflux.kustomize.internal.resource.Resource> matched = new ArrayList<>();
      for (io.conflux.kustomize.internal.resource.Resource r : resMap.resources()) {
        io.conflux.kustomize.internal.resource.ResId org = r.orgId();
        if (org.gvk().equals(gvk) && org.name().equals(target.name()) && (!exactNs || org.isNsEquals(target))) {
          matched.add(r);
        }
      }
      if (matched.size() > 1) {
        throw new KustomizeException("found " + matched.size() + " resId matches for var " + name
            + " (unable to disambiguate)");
      }
      if (matched.size() == 1) {
        matched.get(0).refVarNames().add(name);
      }
      for (Map<String, Object> existing : vars) {
        if (JsonTrees.string(existing, "name").equals(name)) {
          throw new KustomizeException("var '" + name + "' already encountered");
        }
      }
      vars.add(v);
    }
  }
}
