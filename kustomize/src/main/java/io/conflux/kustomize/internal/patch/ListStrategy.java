package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.internal.JsonTrees;
import java.util.List;
import java.util.Map;

/**
 * How a strategic merge patch combines a list with the one it patches: replace it, merge its
 * elements by key fields ({@code x-kubernetes-list-map-keys}, the first being the patch merge
 * key), or union its scalar elements.
 */
public record ListStrategy(Kind kind, List<String> keys, Map<String, String> defaults) {
  /** The kinds of list merging. */
  public enum Kind { REPLACE, MERGE_BY_KEY, MERGE_PRIMITIVES }

  /** The list is replaced by the patch's. */
  public static final ListStrategy REPLACE = new ListStrategy(Kind.REPLACE, List.of(), Map.of());
  /** Scalar elements are unioned, the patch's first. */
  public static final ListStrategy PRIMITIVES = new ListStrategy(Kind.MERGE_PRIMITIVES, List.of(), Map.of());

  /** Elements merge by the value of {@code key}. */
  public static ListStrategy byKey(String key) {
    return new ListStrategy(Kind.MERGE_BY_KEY, List.of(key), Map.of());
  }

  /** Elements merge by several key fields, some with defaults. */
  public static ListStrategy byKeys(List<String> keys, Map<String, String> defaults) {
    return new ListStrategy(Kind.MERGE_BY_KEY, List.copyOf(keys), Map.copyOf(defaults));
  }

  /** The patch merge key. */
  public String key() {
    return keys.isEmpty() ? null : keys.get(0);
  }

  /**
   * The identity of an element: the values of all key fields, empty for missing secondary ones
   * (defaults applied); null when the element is not a map or lacks the merge key.
   */
  public String identity(Object element) {
    if (!(element instanceof Map<?, ?> m) || primary(element) == null) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (String k : keys) {
      Object v = m.get(k);
      if (v == null) {
        v = defaults.get(k);
      }
      b.append(v == null || v instanceof Map || v instanceof List ? "" : JsonTrees.scalarText(v)).append('\u0000');
    }
    return b.toString();
  }

  /** The merge key's value, or null. */
  public String primary(Object element) {
    if (element instanceof Map<?, ?> m && m.get(key()) != null && !(m.get(key()) instanceof Map)
        && !(m.get(key()) instanceof List)) {
      return JsonTrees.scalarText(m.get(key()));
    }
    return null;
  }

  /** True when a secondary key field is missing (and has no default). */
  public boolean partial(Object element) {
    if (!(element instanceof Map<?, ?> m)) {
      return false;
    }
    for (String k : keys) {
      if (m.get(k) == null && !defaults.containsKey(k)) {
        return true;
      }
    }
    return false;
  }
}
