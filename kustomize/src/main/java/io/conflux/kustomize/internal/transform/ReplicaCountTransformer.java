package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets the replica count of the objects named {@code name} (follows
 * plugin/builtin/replicacounttransformer): objects are matched by any of their ids.
 */
public record ReplicaCountTransformer(String name, long count, List<FieldSpec> fieldSpecs) implements Transformer {

  @Override
  public void transform(ResMap m) {
    boolean found = false;
    for (FieldSpec fs : fieldSpecs) {
      List<Resource> matched = m.matchingAnyId(id -> id.name().equals(name) && id.gvk().isSelected(fs.gvk()));
      for (Resource r : matched) {
        found = true;
        FieldWalker.walk(r.object(), r.gvk(), fs, FieldWalker.CreateKind.SCALAR, slot -> slot.set(count));
      }
    }
    if (!found) {
      List<String> gvks = new ArrayList<>();
      fieldSpecs.forEach(fs -> gvks.add(fs.gvk().toString()));
      throw new KustomizeException("resource with name " + name + " does not match a config with the following GVK "
          + gvks);
    }
  }
}
