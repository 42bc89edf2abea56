package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Strategic merge patch of one object (follows api/filters/patchstrategicmerge over kyaml
 * merge2, as observed from kustomize v5.7).
 *
 * <ul>
 *   <li>maps merge key by key; a {@code null} value deletes the key; afterwards the target's fields written with no
 *       value ({@code x:}) are cleared where kyaml's walk reaches them ({@link EmptyNullFields}), its explicit
 *       {@code null}/{@code ~} kept;</li>
 *   <li>lists of built-in types merge by their merge key ({@link MergeKeys}): the patch's elements
 *       come first, in patch order, merged with their counterparts, then the target's other
 *       elements in their order; other lists (all lists of custom types) are replaced by the patch's, its null
 *       fields kept (kyaml does not walk them);</li>
 *   <li>directives: {@code $patch: delete|replace|merge} on maps and list elements. Like
 *       kustomize v5.7 (kyaml merge2), {@code $setElementOrder/...}, {@code $retainKeys} and
 *       {@code $deleteFromPrimitiveList/...} are not directives: they are copied as plain fields.</li>
 * </ul>
 */
public final class StrategicMerge {
  private static final Object DELETE = new Object();

  private final Gvk gvk;
  private final Schema schema;

  private StrategicMerge(Gvk gvk, Schema schema) {
    this.gvk = gvk;
    this.schema = schema;
  }

  /**
   * Merges {@code patch} into {@code target}.
   *
   * @param target the object patched (not modified)
   * @param patch the patch (not modified)
   * @param gvk the target's gvk, which selects the schema for list merge keys
   * @return the merged object, or null when the patch deletes it
   */
  public static Map<String, Object> apply(Map<String, Object> target, Map<String, Object> patch, Gvk gvk) {
    return apply(target, patch, gvk, Schema.builtin());
  }

  /** As {@link #apply(Map, Map, Gvk)}, looking list strategies up in {@code schema}. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> apply(Map<String, Object> target, Map<String, Object> patch, Gvk gvk,
      Schema schema) {
    if ("replace".equals(JsonTrees.string(patch, "$patch"))) {
      // kustomize v5.7 leaves the object as it is for a top-level replace directive
      return JsonTrees.copyMap(target);
    }
    Object r = new StrategicMerge(gvk, schema).merge(JsonTrees.copyMap(target), patch, new ArrayList<>());
    if (r == DELETE) {
      return null;
    }
    Map<String, Object> merged = (Map<String, Object>) r;
    new EmptyNullFields(gvk, schema).clear(merged);
    return merged;
  }

  private Object merge(Object dest, Object patch, List<String> path) {
    if (patch == null) {
      return DELETE;
    }
    if (patch instanceof Map<?, ?> pm) {
      return mergeMap(dest, castMap(pm), path);
    }
    if (patch instanceof List<?> pl) {
      return mergeList(dest, pl, path);
    }
    return patch;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private Object mergeMap(Object dest, Map<String, Object> patch, List<String> path) {
    String directive = JsonTrees.string(patch, "$patch");
    if ("delete".equals(directive)) {
      return DELETE;
    }
    if ("replace".equals(directive)) {
      return stripDirectives(patch);
    }
    Map<String, Object> out = dest instanceof Map<?, ?> dm ? castMap(dm) : new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : patch.entrySet()) {
      String k = e.getKey();
      if (k.equals("$patch")) {
        continue;
      }
      path.add(k);
      Object merged = merge(out.get(k), e.getValue(), path);
      path.remove(path.size() - 1);
      if (merged == DELETE) {
        out.remove(k);
      } else {
        out.put(k, merged);
      }
    }
    return out;
  }

  private static boolean containsScalar(List<?> list, Object v) {
    for (Object o : list) {
      if (Objects.equals(text(o), text(v))) {
        return true;
      }
    }
    return false;
  }

  private static String text(Object o) {
    return o == null ? null : JsonTrees.scalarText(o);
  }

  private Object mergeList(Object dest, List<?> patch, List<String> path) {
    List<?> destList = dest instanceof List<?> dl ? dl : null;
    ListStrategy s = schema.strategy(gvk, path);
    if (s.kind() == ListStrategy.Kind.MERGE_PRIMITIVES) {
      List<Object> out = new ArrayList<>();
      for (Object p : patch) {
        if (!containsScalar(out, p)) {
          out.add(JsonTrees.deepCopy(p));
        }
      }
      if (destList != null) {
        for (Object d : destList) {
          if (!containsScalar(out, d)) {
            out.add(d);
          }
        }
      }
      return out;
    }
    if (s.kind() != ListStrategy.Kind.MERGE_BY_KEY) {
      // kyaml returns the patch's list as it is, without walking it: its null fields stay
      return replaceList(patch, true);
    }
    String key = s.key();
    for (Object p : patch) {
      if (p instanceof Map<?, ?> pm && "replace".equals(JsonTrees.string(pm, "$patch"))) {
        return replaceList(patch, false);
      }
    }
    boolean keyless = false;
    for (Object p : patch) {
      keyless |= p instanceof Map<?, ?> pm && pm.get(key) == null;
    }
    if (keyless && (destList == null || destList.isEmpty()) && s.keys().size() == 1) {
      return keylessIntoNothing(patch, key);
    }
    // like kyaml, a patch element without the merge key makes the target's elements drop out
    List<Object> server = destList == null || keyless ? new ArrayList<>() : new ArrayList<>(destList);
    List<String> serverOrder = new ArrayList<>();
    for (Object d : server) {
      serverOrder.add(s.identity(d));
    }
    // patch items, merged with their server counterparts, in patch order
    List<Object> patched = new ArrayList<>();
    List<Object> added = new ArrayList<>();
    Map<Integer, Object> mergedAt = new java.util.HashMap<>();
    List<String> touched = new ArrayList<>();
    for (Object pe : patch) {
      String v = s.identity(pe);
      if (v == null || touched.contains(v)) {
        continue;
      }
      if (s.keys().size() > 1 && s.partial(pe) && !serverOrder.contains(v)
          && server.stream().anyMatch(d -> s.primary(pe).equals(s.primary(d)))) {
        // as kyaml does: an element missing a list-map key is ignored when the target has one
        // with the same merge key
        continue;
      }
      touched.add(v);
      int idx = serverOrder.indexOf(v);
      Object merged = merge(idx >= 0 ? server.get(idx) : null, pe, path);
      if (idx >= 0) {
        mergedAt.put(idx, merged);
      } else if (merged != DELETE) {
        added.add(merged);
      }
      if (merged != DELETE) {
        patched.add(merged);
      }
    }
    if (s.keys().size() > 1) {
      // lists with several map keys (kyaml): new elements first, then the target's in their order
      List<Object> out = new ArrayList<>(added);
      for (int i = 0; i < server.size(); i++) {
        Object m = mergedAt.getOrDefault(i, server.get(i));
        if (m != DELETE) {
          out.add(m);
        }
      }
      return out;
    }
    // then the items only the target has, in their order (what kustomize v5.7 prints)
    List<Object> serverOnly = new ArrayList<>();
    for (int i = 0; i < server.size(); i++) {
      String v = serverOrder.get(i);
      if (v == null || !touched.contains(v)) {
        serverOnly.add(server.get(i));
      }
    }
    List<Object> out = new ArrayList<>(patched);
    out.addAll(serverOnly);
    return out;
  }

  /**
   * A merge-key list patched into a target without that list, when some patch element lacks the key (e.g. an
   * {@code env} entry with only {@code valueFrom}). kyaml's element setter without keys replaces what it has
   * collected, so keyed elements accumulate in order (same key merged) and each keyless element replaces them
   * all; an element left empty by null values is dropped. Matched against {@code kubectl kustomize} v1.35.
   */
  private List<Object> keylessIntoNothing(List<?> patch, String key) {
    List<Object> out = new ArrayList<>();
    for (Object pe : patch) {
      Object v = stripDirectives(pe);
      if (v instanceof Map<?, ?> m && m.isEmpty()) {
        continue;
      }
      if (pe instanceof Map<?, ?> pm && pm.get(key) == null) {
        out.clear();
        out.add(v);
        continue;
      }
      Object id = pe instanceof Map<?, ?> pm ? pm.get(key) : null;
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i) instanceof Map<?, ?> om && id != null && Objects.equals(text(om.get(key)), text(id))) {
          at = i;
        }
      }
      if (at >= 0) {
        out.set(at, merge(out.get(at), pe, new ArrayList<>()));
      } else {
        out.add(v);
      }
    }
    return out;
  }

  /** The patch's list without its deleted elements; {@code keepNulls} false drops null fields as a walk does. */
  private static List<Object> replaceList(List<?> patch, boolean keepNulls) {
    List<Object> out = new ArrayList<>();
    for (Object p : patch) {
      if (p instanceof Map<?, ?> pm && pm.containsKey("$patch")) {
        String d = JsonTrees.string(pm, "$patch");
        if ("delete".equals(d) || "replace".equals(d) && pm.size() == 1) {
          continue;
        }
      }
      out.add(keepNulls ? stripDirectivesKeepingNulls(p) : stripDirectives(p));
    }
    return out;
  }

  /** A deep copy without {@code $patch} directives in its maps, null fields kept. */
  private static Object stripDirectivesKeepingNulls(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        if (!k.equals("$patch")) {
          out.put(k, stripDirectivesKeepingNulls(e.getValue()));
        }
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(stripDirectivesKeepingNulls(o));
      }
      return out;
    }
    return v;
  }

  /** A deep copy without {@code $patch} directives. */
  static Object stripDirectives(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String k = String.valueOf(e.getKey());
        if (!k.equals("$patch")) {
          if (e.getValue() == null) {
            continue;
          }
          out.put(k, stripDirectives(e.getValue()));
        }
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(stripDirectives(o));
      }
      return out;
    }
    return v;
  }
}
