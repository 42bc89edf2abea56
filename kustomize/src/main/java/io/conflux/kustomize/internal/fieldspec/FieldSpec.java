package io.conflux.kustomize.internal.fieldspec;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a transformer acts: objects selected by a gvk, a slash-separated field path (a
 * {@code []} suffix marks a sequence; {@code \/} escapes a slash) and whether missing fields are
 * created (follows api/types/fieldspec.go).
 */
public record FieldSpec(Gvk gvk, String path, boolean create) {

  /** Reads {@code {group, version, kind, path, create}}; a missing path is Go's zero value, the empty path. */
  public static FieldSpec of(Map<String, Object> m) {
    String path = JsonTrees.string(m, "path");
    return new FieldSpec(new Gvk(JsonTrees.string(m, "group"), JsonTrees.string(m, "version"),
        JsonTrees.string(m, "kind")), path == null ? "" : path, Boolean.TRUE.equals(m.get("create")));
  }

  /** This spec as the map {@link #of} reads (empty group, version and kind and a false create left out). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    if (!gvk.group().isEmpty()) {
      m.put("group", gvk.group());
    }
    if (!gvk.version().isEmpty()) {
      m.put("version", gvk.version());
    }
    if (!gvk.kind().isEmpty()) {
      m.put("kind", gvk.kind());
    }
    m.put("path", path);
    if (create) {
      m.put("create", true);
    }
    return m;
  }

  /** {@link #toMap} of each spec, in order. */
  public static List<Object> toMaps(List<FieldSpec> specs) {
    List<Object> out = new ArrayList<>();
    for (FieldSpec fs : specs) {
      out.add(fs.toMap());
    }
    return out;
  }

  /** Reads a list of field specs; null gives an empty list. */
  @SuppressWarnings("unchecked")
  public static List<FieldSpec> listOf(Object list) {
    List<FieldSpec> out = new ArrayList<>();
    if (list instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map<?, ?> m) {
          out.add(of((Map<String, Object>) m));
        }
      }
    }
    return out;
  }

  /** The path split at unescaped slashes. */
  public List<String> segments() {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' && i + 1 < path.length() && path.charAt(i + 1) == '/') {
        cur.append('/');
        i++;
      } else if (c == '/') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }

  /** True when this spec applies to objects of {@code objectGvk}. */
  public boolean appliesTo(Gvk objectGvk) {
    return objectGvk.isSelected(gvk);
  }
}
