package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldWalker;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.internal.resource.LabelSelector;
import io.conflux.kustomize.internal.resource.ResId;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.internal.build.Loader;
import io.conflux.kustomize.yaml.KYaml;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Copies a field of one source object into fields of target objects (follows
 * api/filters/replacement): the source must be selected uniquely; targets are selected by gvk,
 * name, namespace (any of their ids), labels and annotations, minus rejects; a scalar target keeps
 * its type; {@code delimiter}/{@code index} options splice parts of strings; {@code create}
 * creates missing target fields.
 */
public record ReplacementTransformer(List<Map<String, Object>> replacements) implements Transformer {

  /** A {@code replacements} entry: inline, or {@code path} to a file of one or more replacements. */
  @SuppressWarnings("unchecked")
  public static ReplacementTransformer of(Loader loader, Map<String, Object> entry) {
    String path = JsonTrees.string(entry, "path");
    if (path == null) {
      return new ReplacementTransformer(List.of(entry));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object doc : KYaml.parseDocuments(loader.readText(path), loader.display(loader.resolve(path)),
        loader.resolve(path))) {
      if (doc instanceof List<?> l) {
        for (Object o : l) {
          out.add((Map<String, Object>) o);
        }
      } else if (doc instanceof Map<?, ?> m) {
        out.add((Map<String, Object>) m);
      }
    }
    return new ReplacementTransformer(out);
  }

  @Override
  public void transform(ResMap m) {
    for (Map<String, Object> r : replacements) {
      apply(m, r);
    }
  }

  @SuppressWarnings("unchecked")
  private static void apply(ResMap m, Map<String, Object> replacement) {
    Map<String, Object> source = JsonTrees.map(replacement, "source");
    if (source == null) {
      throw new KustomizeException("replacement has no source: " + replacement);
    }
    Object value = sourceValue(m, source);
    List<Object> targets = JsonTrees.list(replacement, "targets");
    if (targets == null) {
      return;
    }
    for (Object t : targets) {
      Map<String, Object> target = (Map<String, Object>) t;
      Map<String, Object> select = JsonTrees.map(target, "select");
      if (select == null) {
        throw new KustomizeException("target must specify resources to select");
      }
      List<String> fieldPaths = new ArrayList<>();
      List<Object> fps = JsonTrees.list(target, "fieldPaths");
      if (fps == null || fps.isEmpty()) {
        fieldPaths.add("metadata.name");
      } else {
        fps.forEach(f -> fieldPaths.add(String.valueOf(f)));
      }
      Map<String, Object> options = JsonTrees.map(target, "options");
      List<Object> rejects = JsonTrees.list(target, "reject");
      for (Resource r : m.resources()) {
        if (!selectedByLabelsAndAnnotations(r, select)) {
          continue;
        }
        List<ResId> ids = r.allIds();
        boolean selected = ids.stream().anyMatch(id -> isSelectedBy(id, select));
        if (!selected || rejected(r, ids, rejects)) {
          continue;
        }
        for (String fp : fieldPaths) {
          boolean create = options != null && Boolean.TRUE.equals(options.get("create"));
          List<FieldWalker.Slot> slots = FieldPath.find(r.object(), FieldPath.split(fp), create ? value : null);
          if (slots.isEmpty()) {
            throw new KustomizeException("unable to " + (create ? "find or create" : "find") + " field \"" + fp
                + "\" in replacement target " + r.curId());
          }
          for (FieldWalker.Slot s : slots) {
            setFieldValue(options, s, value);
          }
        }
      }
    }
  }

  private static boolean rejected(Resource r, List<ResId> ids, List<Object> rejects) {
    if (rejects == null) {
      return false;
    }
    for (Object o : rejects) {
      if (o instanceof Map<?, ?> rm) {
        @SuppressWarnings("unchecked")
        Map<String, Object> reject = (Map<String, Object>) rm;
        boolean hasId = JsonTrees.string(reject, "kind") != null || JsonTrees.string(reject, "name") != null
            || JsonTrees.string(reject, "namespace") != null || JsonTrees.string(reject, "group") != null
            || JsonTrees.string(reject, "version") != null;
        if (hasId && ids.stream().anyMatch(id -> isSelectedBy(id, reject))) {
          if (selectedByLabelsAndAnnotations(r, reject)) {
            return true;
          }
        } else if (!hasId && (JsonTrees.string(reject, "labelSelector") != null
            || JsonTrees.string(reject, "annotationSelector") != null) && selectedByLabelsAndAnnotations(r, reject)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean selectedByLabelsAndAnnotations(Resource r, Map<String, Object> select) {
    String ls = JsonTrees.string(select, "labelSelector");
    String as = JsonTrees.string(select, "annotationSelector");
    return (ls == null || LabelSelector.parse(ls).matches(r.labels()))
        && (as == null || LabelSelector.parse(as).matches(r.annotations()));
  }

  /** ResId.IsSelectedBy: set name/namespace equal, gvk selected. */
  static boolean isSelectedBy(ResId id, Map<String, Object> selector) {
    String name = JsonTrees.string(selector, "name");
    String namespace = JsonTrees.string(selector, "namespace");
    Gvk gvk = new Gvk(JsonTrees.string(selector, "group"), JsonTrees.string(selector, "version"),
        JsonTrees.string(selector, "kind"));
    if (name != null && !name.isEmpty() && !name.equals(id.name())) {
      return false;
    }
    if (namespace != null && !namespace.isEmpty()
        && !new ResId(id.gvk(), id.name(), namespace).effectiveNamespace().equals(id.effectiveNamespace())) {
      return false;
    }
    return id.gvk().isSelected(gvk);
  }

  private static Object sourceValue(ResMap m, Map<String, Object> source) {
    List<Resource> matches = new ArrayList<>();
    for (Resource r : m.resources()) {
      if (r.allIds().stream().anyMatch(id -> isSelectedBy(id, source))) {
        matches.add(r);
      }
    }
    if (matches.size() > 1) {
      throw new KustomizeException("multiple matches for selector " + describe(source));
    }
    if (matches.isEmpty()) {
      throw new KustomizeException("nothing selected by " + describe(source));
    }
    String fieldPath = JsonTrees.string(source, "fieldPath");
    if (fieldPath == null || fieldPath.isEmpty()) {
      fieldPath = "metadata.name";
    }
    List<FieldWalker.Slot> slots = FieldPath.find(matches.get(0).object(), FieldPath.split(fieldPath), null);
    Object v = slots.isEmpty() ? null : slots.get(0).get();
    // kyaml's IsNilOrEmpty: null, an empty map or list; an empty string is a value
    if (v == null || v instanceof Map<?, ?> mm && mm.isEmpty()
        || v instanceof List<?> l && l.isEmpty()) {
      throw new KustomizeException("fieldPath `" + fieldPath + "` is missing for replacement source "
          + matches.get(0).curId());
    }
    Map<String, Object> options = JsonTrees.map(source, "options");
    String delimiter = options == null ? null : JsonTrees.string(options, "delimiter");
    if (delimiter != null && !delimiter.isEmpty()) {
      String[] parts = JsonTrees.scalarText(v).split(java.util.regex.Pattern.quote(delimiter), -1);
      int index = options.get("index") instanceof Number n ? n.intValue() : 0;
      if (index < 0 || index >= parts.length) {
        // Not the value: a replacement's source may be a Secret's data.
        throw new KustomizeException("options.index " + index + " is out of bounds for the source value of "
            + describe(source) + " (" + parts.length + " parts after splitting at the delimiter)");
      }
      return parts[index];
    }
    return JsonTrees.deepCopy(v);
  }

  private static String describe(Map<String, Object> s) {
    return s.toString();
  }

  private static void setFieldValue(Map<String, Object> options, FieldWalker.Slot target, Object value) {
    Object v = JsonTrees.deepCopy(value);
    String delimiter = options == null ? null : JsonTrees.string(options, "delimiter");
    Object cur = target.get();
    if (delimiter != null && !delimiter.isEmpty()) {
      if (cur instanceof Map || cur instanceof List) {
        throw new KustomizeException("delimiter option can only be used with scalar nodes");
      }
      List<String> tv = new ArrayList<>(List.of((cur == null ? "" : JsonTrees.scalarText(cur))
          .split(java.util.regex.Pattern.quote(delimiter), -1)));
      int index = options.get("index") instanceof Number n ? n.intValue() : 0;
      String s = JsonTrees.scalarText(v);
      if (index < 0) {
        tv.add(0, s);
      } else if (index >= tv.size()) {
        tv.add(s);
      } else {
        tv.set(index, s);
      }
      v = String.join(delimiter, tv);
    }
    if (cur != null && !(cur instanceof Map) && !(cur instanceof List) && !(v instanceof Map)
        && !(v instanceof List)) {
      target.set(keepType(cur, JsonTrees.scalarText(v)));
    } else {
      target.set(v);
    }
  }

  /** A scalar target keeps its type when the new text allows it (kyaml keeps the node's tag). */
  private static Object keepType(Object cur, String text) {
    if (cur instanceof String) {
      return text;
    }
    try {
      if (cur instanceof Long) {
        return Long.parseLong(text);
      }
      if (cur instanceof Double) {
        return Double.parseDouble(text);
      }
    } catch (NumberFormatException e) {
      return text;
    }
    if (cur instanceof Boolean && (text.equals("true") || text.equals("false"))) {
      return Boolean.parseBoolean(text);
    }
    return text;
  }
}
