package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.KustomizeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A loaded patch: either strategic merge patches (one per YAML document) or one JSON 6902
 * operation list (follows plugin/builtin/patchtransformer: a patch that parses as a list is a
 * JSON patch, otherwise it is a strategic merge patch).
 */
public record Patch(String name, List<Map<String, Object>> strategicMerge, List<Object> json6902) {

  /** Classifies parsed documents. */
  @SuppressWarnings("unchecked")
  public static Patch of(String name, List<Object> docs) {
    if (docs.size() == 1 && docs.get(0) instanceof List<?> l) {
      return new Patch(name, List.of(), new ArrayList<>(l));
    }
    List<Map<String, Object>> sm = new ArrayList<>();
    for (Object d : docs) {
      if (d instanceof Map<?, ?> m) {
        if (!m.isEmpty()) {
          sm.add((Map<String, Object>) m);
        }
      } else {
        throw new KustomizeException(name + ": a patch must be a YAML mapping (strategic merge) or a list of "
            + "JSON 6902 operations");
      }
    }
    return new Patch(name, sm, null);
  }

  /** True for a JSON 6902 operation list. */
  public boolean isJson6902() {
    return json6902 != null;
  }
}
