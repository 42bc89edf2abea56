package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.yaml.YamlMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Clears the fields written with no value ({@code x:}, see {@link YamlMap}) from an object a strategic merge patch
 * was applied to, where kyaml's merge walk reaches them; explicit {@code null}/{@code ~} fields stay.
 *
 * <p>kyaml (v0.20.1, yaml/walk and yaml/merge2) walks every field of the target's mappings, whether the patch names
 * it or not, and every element of the lists its schema gives a {@code merge} patch strategy (elements holding the merge
 * key). For a field whose target value is a null node and which the patch lacks, {@code Merger.VisitMap} keeps a
 * persistent null only when the node's text is non-empty ({@code null}, {@code ~}); an empty one ({@code x:}) becomes
 * no value and the field setter clears the field. Lists merged by replacement (no merge key in the schema, custom
 * resources) are not walked, so the nulls inside them stay. Checked against {@code kubectl kustomize} v1.35.
 */
final class EmptyNullFields {
  private final Gvk gvk;
  private final Schema schema;

  /**
   * @param gvk the patched object's kind, which selects the list strategies
   * @param schema where the list strategies are looked up
   */
  EmptyNullFields(Gvk gvk, Schema schema) {
    this.gvk = gvk;
    this.schema = schema;
  }

  /** Clears, in place, the empty-null fields of {@code object} that kyaml's walk reaches. */
  void clear(Map<String, Object> object) {
    clearMap(object, new ArrayList<>());
  }

  private void clearMap(Map<?, ?> map, List<String> path) {
    Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<?, ?> e = it.next();
      String key = String.valueOf(e.getKey());
      Object value = e.getValue();
      if (value == null) {
        if (YamlMap.isEmptyNull(map, key)) {
          it.remove();
        }
        continue;
      }
      path.add(key);
      if (value instanceof Map<?, ?> child) {
        clearMap(child, path);
      } else if (value instanceof List<?> list) {
        clearList(list, path);
      }
      path.remove(path.size() - 1);
    }
  }

  private void clearList(List<?> list, List<String> path) {
    ListStrategy s = schema.strategy(gvk, path);
    if (s.kind() != ListStrategy.Kind.MERGE_BY_KEY) {
      return;
    }
    for (Object element : list) {
      // kyaml appends a target element lacking the merge key without walking it
      if (element instanceof Map<?, ?> m && s.primary(m) != null) {
        clearMap(m, path);
      }
    }
  }
}
