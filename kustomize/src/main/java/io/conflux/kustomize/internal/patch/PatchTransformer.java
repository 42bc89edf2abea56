package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.BuildCancelledException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.internal.resource.Selector;
import io.conflux.kustomize.internal.transform.Transformer;
import java.util.Map;

/**
 * Applies one patch to the objects its target selects, or — a strategic merge patch without
 * target — to the one object with the patch's own id (follows plugin/builtin/patchtransformer,
 * patchstrategicmergetransformer and patchjson6902transformer, and Resource.ApplySmPatch).
 * With a target, a strategic merge patch applies to every selected object whatever its own
 * apiVersion, kind and name. Objects a patch deletes entirely leave the build.
 */
public record PatchTransformer(Patch patch, Selector target, boolean allowNameChange, boolean allowKindChange,
    Schema schema) implements Transformer {

  /** A patch transformer using kustomize's built-in schema. */
  public PatchTransformer(Patch patch, Selector target, boolean allowNameChange, boolean allowKindChange) {
    this(patch, target, allowNameChange, allowKindChange, Schema.builtin());
  }

  @Override
  public void transform(ResMap m) {
    if (patch.isJson6902()) {
      if (target == null) {
        throw new KustomizeException(patch.name() + ": must specify a target for JSON patch");
      }
      for (Resource r : m.select(target)) {
        BuildCancelledException.checkpoint(patch.name());
        r.storePreviousId();
        r.setObject(Json6902.apply(r.object(), patch.json6902(), patch.name()));
      }
      return;
    }
    if (target != null && patch.strategicMerge().size() > 1) {
      throw new KustomizeException(patch.name() + ": multiple strategic merge patches in one `patches` entry are "
          + "not allowed to set `patches.target` field");
    }
    for (Map<String, Object> sm : patch.strategicMerge()) {
      if (target == null) {
        Gvk gvk = Gvk.of(JsonTrees.string(sm, "apiVersion"), JsonTrees.string(sm, "kind"));
        Map<String, Object> meta = JsonTrees.map(sm, "metadata");
        ResId id = new ResId(gvk, JsonTrees.string(meta, "name"), JsonTrees.string(meta, "namespace"));
        Resource r;
        try {
          r = m.getById(id);
        } catch (KustomizeException e) {
          throw new KustomizeException(patch.name() + ": " + e.getMessage(), e);
        }
        applySmPatch(m, r, sm);
      } else {
        for (Resource r : m.select(target)) {
          BuildCancelledException.checkpoint(patch.name());
          applySmPatch(m, r, sm);
        }
      }
    }
  }

  private void applySmPatch(ResMap m, Resource r, Map<String, Object> sm) {
    String name = r.name();
    String namespace = r.namespace();
    String kind = r.kind();
    String apiVersion = JsonTrees.string(r.object(), "apiVersion");
    if (allowNameChange || allowKindChange) {
      r.storePreviousId();
    }
    Map<String, Object> p = JsonTrees.copyMap(sm);
    if (target != null) {
      if (apiVersion != null) {
        p.put("apiVersion", apiVersion);
      }
      if (!allowKindChange) {
        p.put("kind", kind);
      }
    }
    Map<String, Object> merged = StrategicMerge.apply(r.object(), p, r.gvk(), schema);
    if (merged == null || merged.isEmpty()) {
      m.remove(r);
      return;
    }
    r.setObject(merged);
    if (!allowKindChange) {
      r.setKind(kind);
    }
    if (!allowNameChange) {
      r.setName(name);
    }
    r.setNamespace(namespace);
  }

  /** Reads the {@code options} of a patches entry. */
  public static boolean option(Map<String, Object> entry, String name) {
    Map<String, Object> options = JsonTrees.map(entry, "options");
    return options != null && Boolean.TRUE.equals(options.get(name));
  }

  /** The target selector of a patches entry, or null. */
  public static Selector targetOf(Map<String, Object> entry) {
    return Selector.of(JsonTrees.map(entry, "target"));
  }
}
