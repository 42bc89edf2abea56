package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.resource.ResMap;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.internal.resource.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kustomize's builtin {@code ValueAddTransformer} (follows plugin/builtin/valueaddtransformer and
 * api/filters/valueadd): puts one string value into a field of the selected resources.
 *
 * <ul>
 *   <li>A target's {@code fieldPath} is a {@code /}-separated path of map keys ({@code \/} escapes a slash in a
 *       key); missing maps and the field are created, an existing scalar is replaced, an existing map or list is an
 *       error, as kyaml's LookupCreate + ErrorIfInvalid. List steps ({@code [name=x]}, indices) are refused: kustomize
 *       does not support them either ("TODO: support SequenceNode").</li>
 *   <li>{@code fieldPath: metadata/namespace} runs the namespace filter instead (namespaced kinds only, RoleBinding
 *       subjects named {@code default}), as the plugin does.</li>
 *   <li>{@code filePathPosition} i &gt; 0 inserts the value as the i-th element of the field's file path
 *       (kyaml filesys.InsertPathPart at i-1; too large appends) instead of replacing it.</li>
 * </ul>
 *
 * @param value the value, never blank (the plugin defaults it to the kustomization directory's name)
 * @param targets where to put it, in order; at least one
 */
public record ValueAddTransformer(String value, List<Target> targets) implements Transformer {

  /**
   * One target.
   *
   * @param selector the resources to change; null for all
   * @param fieldPath the field, never empty
   * @param filePathPosition 0 to replace the value, i &gt; 0 to insert it into a file path at position i
   */
  public record Target(Selector selector, String fieldPath, int filePathPosition) {}

  @Override
  public void transform(ResMap m) {
    for (Target t : targets) {
      List<Resource> selected = t.selector() == null ? new ArrayList<>(m.resources()) : m.select(t.selector());
      for (Resource r : selected) {
        if (t.fieldPath().equals("metadata/namespace")) {
          new NamespaceTransformer(value, List.of(), false).filter(r);
        } else {
          add(r, t);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void add(Resource r, Target t) {
    List<String> fields = split(t.fieldPath());
    Map<String, Object> node = r.object();
    for (int i = 0; i < fields.size() - 1; i++) {
      String f = fields.get(i);
      if (f.startsWith("[") || f.matches("-?[0-9]+")) {
        throw new KustomizeException("ValueAddTransformer: fieldPath '" + t.fieldPath() + "' of " + r.curId()
            + ": list elements are not supported, only map fields");
      }
      Object next = node.get(f);
      if (next == null) {
        next = new LinkedHashMap<String, Object>();
        node.put(f, next);
      } else if (!(next instanceof Map)) {
        throw new KustomizeException("ValueAddTransformer: fieldPath '" + t.fieldPath() + "' of " + r.curId()
            + ": wrong node kind: expected MappingNode at '" + f + "'");
      }
      node = (Map<String, Object>) next;
    }
    String last = fields.get(fields.size() - 1);
    Object old = node.get(last);
    if (old instanceof Map || old instanceof List) {
      throw new KustomizeException("ValueAddTransformer: fieldPath '" + t.fieldPath() + "' of " + r.curId()
          + ": wrong node kind: expected ScalarNode but got " + (old instanceof Map ? "MappingNode" : "SequenceNode"));
    }
    String newValue = value;
    if (t.filePathPosition() > 0) {
      newValue = insertPathPart(old == null ? "" : String.valueOf(old), t.filePathPosition() - 1, value);
    }
    node.put(last, newValue);
  }

  /** The path's fields: split on {@code /}, a field ending in a backslash joined with the next (valueadd.Filter). */
  static List<String> split(String fieldPath) {
    List<String> fields = new ArrayList<>();
    for (String f : fieldPath.split("/", -1)) {
      if (!fields.isEmpty() && fields.get(fields.size() - 1).endsWith("\\")) {
        String prev = fields.remove(fields.size() - 1);
        fields.add(prev.substring(0, prev.length() - 1) + "/" + f);
      } else {
        fields.add(f);
      }
    }
    return fields;
  }

  /** kyaml filesys.InsertPathPart: {@code part} at position {@code pos} of {@code path}, keeping it absolute. */
  static String insertPathPart(String path, int pos, String part) {
    if (part.isEmpty()) {
      return path;
    }
    List<String> parts = pathSplit(path);
    pos = Math.max(0, Math.min(pos, parts.size()));
    if (!parts.isEmpty() && parts.get(0).isEmpty() && pos < parts.size()) {
      pos++;
    }
    List<String> result = new ArrayList<>(parts.subList(0, pos));
    result.add(part);
    result.addAll(parts.subList(pos, parts.size()));
    return pathJoin(result);
  }

  /** kyaml filesys.PathSplit: an absolute path starts with an empty element. */
  private static List<String> pathSplit(String incoming) {
    List<String> out = new ArrayList<>();
    String rest = incoming;
    Deque<String> reversed = new ArrayDeque<>();
    while (!rest.isEmpty()) {
      int slash = rest.lastIndexOf('/');
      String dir = rest.substring(0, slash + 1);
      String file = rest.substring(slash + 1);
      if (dir.equals("/")) {
        if (!file.isEmpty()) {
          reversed.push(file);
        }
        reversed.push("");
        break;
      }
      reversed.push(file);
      rest = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
    }
    out.addAll(reversed);
    return out;
  }

  /** kyaml filesys.PathJoin: Go's filepath.Join (cleaned), with a leading slash when the first element is empty. */
  private static String pathJoin(List<String> parts) {
    if (parts.isEmpty()) {
      return "";
    }
    if (parts.get(0).isEmpty()) {
      return "/" + join(parts.subList(1, parts.size()));
    }
    return join(parts);
  }

  /** filepath.Join: the non-empty elements joined by slashes, then Clean (empty if all are empty). */
  private static String join(List<String> parts) {
    List<String> nonEmpty = parts.stream().filter(p -> !p.isEmpty()).toList();
    if (nonEmpty.isEmpty()) {
      return "";
    }
    return clean(String.join("/", nonEmpty));
  }

  /** Go's path.Clean. */
  private static String clean(String path) {
    boolean rooted = path.startsWith("/");
    Deque<String> out = new ArrayDeque<>();
    for (String s : path.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        if (!out.isEmpty() && !out.peekLast().equals("..")) {
          out.removeLast();
        } else if (!rooted) {
          out.addLast("..");
        }
      } else {
        out.addLast(s);
      }
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
