package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds string entries to the maps the field specs designate, creating them where allowed: the
 * label and annotation transformers (follows api/filters/labels and api/filters/annotations).
 */
public record MapEntriesTransformer(Map<String, String> entries, List<FieldSpec> fieldSpecs)
    implements Transformer {

  @Override
  public void transform(ResMap m) {
    if (entries.isEmpty()) {
      return;
    }
    for (Resource r : m.resources()) {
      for (FieldSpec fs : fieldSpecs) {
        FieldWalker.walk(r.object(), r.gvk(), fs, FieldWalker.CreateKind.MAP, slot -> {
          Object v = slot.get();
          Map<String, Object> target;
          if (v instanceof Map<?, ?> existing) {
            @SuppressWarnings("unchecked")
            Map<String, Object> cast = (Map<String, Object>) existing;
            target = cast;
          } else {
            target = new LinkedHashMap<>();
            slot.set(target);
          }
          target.putAll(entries);
        });
      }
    }
  }
}
