package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dotted field paths of replacements and vars ({@code spec.template.spec.containers.[name=app].image},
 * {@code spec.ports.0.port}, {@code ports[0]}, {@code *}, {@code [key.with.dots]}), following kyaml's
 * PathMatcher and SmarterPathSplitter.
 */
public final class FieldPath {
  private FieldPath() {}

  /** Splits on dots outside brackets; {@code a[b=c]} is split into {@code a} and {@code [b=c]}. */
  public static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '[') {
        if (depth == 0 && cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
        depth++;
      } else if (c == ']') {
        depth--;
      }
      if (c == '.' && depth == 0) {
        if (cur.length() > 0) {
          out.add(cur.toString());
        }
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  /** Finds the fields a path designates; creates missing ones with {@code create} (null: never). */
  public static List<FieldWalker.Slot> find(Object root, List<String> path, Object create) {
    List<FieldWalker.Slot> out = new ArrayList<>();
    FieldWalker.Slot rootSlot = new FieldWalker.Slot() {
      @Override
      public Object get() {
        return root;
      }

      @Override
      public void set(Object value) {
        throw new UnsupportedOperationException("cannot replace the root");
      }
    };
    find(rootSlot, path, 0, create, out);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void find(FieldWalker.Slot slot, List<String> path, int i, Object create, List<FieldWalker.Slot> out) {
    if (i == path.size()) {
      out.add(slot);
      return;
    }
    Object node = slot.get();
    String part = path.get(i);
    boolean lastPart = i == path.size() - 1;
    if (part.matches("\\[-?[0-9]+\\]") || part.startsWith("[") && part.endsWith("]") && part.indexOf('=') < 0) {
      part = part.substring(1, part.length() - 1);
    }
    if (part.startsWith("[") && part.endsWith("]")) {
      String inner = part.substring(1, part.length() - 1);
      int eq = inner.indexOf('=');
      String key = eq >= 0 ? inner.substring(0, eq) : inner;
      String value = eq >= 0 ? inner.substring(eq + 1) : "";
      if (node == null && create != null) {
        node = new ArrayList<>();
        slot.set(node);
      }
      if (!(node instanceof List<?> l)) {
        return;
      }
      List<Object> list = (List<Object>) l;
      boolean found = false;
      for (int j = 0; j < list.size(); j++) {
        Object e = list.get(j);
        boolean match = key.isEmpty() ? e != null && !(e instanceof Map) && JsonTrees.scalarText(e).equals(value)
            : e instanceof Map<?, ?> m && m.get(key) != null && JsonTrees.scalarText(m.get(key)).equals(value);
        if (match) {
          found = true;
          find(listSlot(list, j), path, i + 1, create, out);
        }
      }
      if (!found && create != null) {
        Map<String, Object> element = new LinkedHashMap<>();
        if (!key.isEmpty()) {
          element.put(key, value);
          list.add(element);
          find(listSlot(list, list.size() - 1), path, i + 1, create, out);
        }
      }
      return;
    }
    if (part.equals("*")) {
      if (node instanceof List<?> l) {
        for (int j = 0; j < l.size(); j++) {
          find(listSlot((List<Object>) l, j), path, i + 1, create, out);
        }
      } else if (node instanceof Map<?, ?> m) {
        for (Object k : new ArrayList<>(m.keySet())) {
          find(mapSlot((Map<String, Object>) m, String.valueOf(k)), path, i + 1, create, out);
        }
      }
      return;
    }
    if (node instanceof List<?> l && part.matches("-?[0-9]+")) {
      int idx = Integer.parseInt(part);
      if (idx >= 0 && idx < l.size()) {
        find(listSlot((List<Object>) l, idx), path, i + 1, create, out);
      }
      return;
    }
    if (node == null && create != null) {
      node = new LinkedHashMap<String, Object>();
      slot.set(node);
    }
    if (!(node instanceof Map<?, ?> m)) {
      return;
    }
    Map<String, Object> map = (Map<String, Object>) m;
    if (!map.containsKey(part)) {
      if (create == null) {
        return;
      }
      map.put(part, lastPart ? null : nextContainer(path.get(i + 1)));
    }
    find(mapSlot(map, part), path, i + 1, create, out);
  }

  private static Object nextContainer(String nextPart) {
    if (nextPart.startsWith("[") && nextPart.indexOf('=') >= 0 || nextPart.matches("\\[?-?[0-9]+\\]?")) {
      return new ArrayList<>();
    }
    return new LinkedHashMap<String, Object>();
  }

  private static FieldWalker.Slot listSlot(List<Object> list, int idx) {
    return new FieldWalker.Slot() {
      @Override
      public Object get() {
        return list.get(idx);
      }

      @Override
      public void set(Object value) {
        list.set(idx, value);
      }
    };
  }

  private static FieldWalker.Slot mapSlot(Map<String, Object> map, String key) {
    return new FieldWalker.Slot() {
      @Override
      public Object get() {
        return map.get(key);
      }

      @Override
      public void set(Object value) {
        map.put(key, value);
      }
    };
  }
}
