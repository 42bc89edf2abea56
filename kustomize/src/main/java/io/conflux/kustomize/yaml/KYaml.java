package io.conflux.kustomize.yaml;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * YAML reading and writing the way kustomize does it.
 *
 * <p>Parsing follows api/resource/factory.go ({@code SliceFromBytes}): multi-document streams,
 * empty documents skipped, and {@code kind: FooList} documents with {@code items} expanded into
 * their items (appended after the other documents of the stream, as kustomize does). Scalars are
 * resolved with the YAML 1.2 core schema, as go-yaml v3 does: {@code true/false}, {@code null},
 * integers (as {@link Long}) and floats (as {@link Double}); everything else is a {@link String}. Mappings are
 * {@link YamlMap}s, which remember the null values written with no value ({@code x:}) apart from explicit ones
 * ({@code x: null}, {@code x: ~}), a difference kyaml's strategic merge acts on.
 *
 * <p>Writing follows the output of {@code kustomize build} (sigs.k8s.io/yaml over go-yaml v2):
 * block style, 2-space indent, sequences not indented under their key, keys sorted, strings quoted
 * only when needed.
 */
public final class KYaml {
  private KYaml() {}

  /**
   * Parses a multi-document stream into Kubernetes objects.
   *
   * @param text the YAML text
   * @param fileName the name used in error messages (e.g. {@code base/web-server.yaml})
   * @return one mutable map per object, in stream order, {@code List} kinds expanded
   * @throws KustomizeException on a syntax error ({@code file:line:column: problem}) or when a
   *     document is not a mapping
   */
  public static List<Map<String, Object>> parseAll(String text, String fileName) {
    return parseAll(text, fileName, null);
  }

  /** As {@link #parseAll(String, String)}, recording {@code file} in the exception. */
  public static List<Map<String, Object>> parseAll(String text, String fileName, Path file) {
    Deque<Object> queue = new ArrayDeque<>(parseDocuments(text, fileName, file));
    List<Map<String, Object>> out = new ArrayList<>();
    while (!queue.isEmpty()) {
      Object doc = queue.removeFirst();
      if (!(doc instanceof Map<?, ?>)) {
        throw new KustomizeException(fileName + ": expected a YAML mapping (a Kubernetes object), got "
            + describe(doc), file, -1, null);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) doc;
      if (m.isEmpty()) {
        continue;
      }
      String kind = JsonTrees.string(m, "kind");
      if (kind != null && kind.endsWith("List") && m.containsKey("items")) {
        Object items = m.get("items");
        if (items == null) {
          continue;
        }
        if (!(items instanceof List<?> l)) {
          throw new KustomizeException(fileName + ": expected array in " + kind + "/items, but found "
              + describe(items), file, -1, null);
        }
        // a null item is an empty object, skipped as empty documents are (ArrayDeque holds no nulls)
        l.stream().filter(java.util.Objects::nonNull).forEach(queue::addLast);
        continue;
      }
      out.add(m);
    }
    return out;
  }

  /**
   * Parses a multi-document stream into raw trees (maps, lists or scalars), skipping empty
   * documents. Used for patches, which may be JSON 6902 operation lists.
   *
   * @throws KustomizeException on a syntax error, naming {@code fileName}, line and column, or beyond one of the
   *     {@link YamlBounds#MANIFESTS} ({@code file:line:column: excessive aliasing: ...})
   */
  public static List<Object> parseDocuments(String text, String fileName, Path file) {
    return parseDocuments(text, fileName, file, true);
  }

  /**
   * As {@link #parseDocuments(String, String, Path)} for Conflux's own built-in files (kustomize's default
   * transformer configuration), read once per process: never stopped by an interrupted build.
   */
  public static List<Object> parseBuiltin(String text, String fileName) {
    return parseDocuments(text, fileName, null, false);
  }

  private static List<Object> parseDocuments(String text, String fileName, Path file, boolean cancellable) {
    LoadSettings settings = YamlBounds.MANIFESTS.settings(fileName)
        .setSchema(new GoYamlSchema(text))
        .setAllowDuplicateKeys(true)
        .build();
    List<Object> docs = new ArrayList<>();
    try {
      for (Object doc : YamlBounds.MANIFESTS.loadAll(settings, text, cancellable)) {
        Object tree = tree(doc);
        if (tree != null) {
          docs.add(tree);
        }
      }
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().orElse(e.getContextMark().orElse(null));
      String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
      if (mark != null) {
        int line = mark.getLine() + 1;
        throw new KustomizeException(fileName + ":" + line + ":" + (mark.getColumn() + 1) + ": " + problem,
            file, line, e);
      }
      throw new KustomizeException(fileName + ": " + problem, file, -1, e);
    } catch (YamlEngineException e) {
      throw new KustomizeException(fileName + ": " + e.getMessage(), file, -1, e);
    }
    return docs;
  }

  /**
   * A constructed document as the tree callers get: mappings become {@link YamlMap}s with their empty nulls
   * ({@code x:}) marked, every {@link GoYamlSchema#EMPTY_NULL} becomes {@code null}, numbers are normalised as
   * {@link JsonTrees#deepCopy} does.
   */
  private static Object tree(Object value) {
    if (value == GoYamlSchema.EMPTY_NULL) {
      return null;
    }
    if (value instanceof Map<?, ?> m) {
      YamlMap out = new YamlMap();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (e.getValue() == GoYamlSchema.EMPTY_NULL) {
          out.putEmptyNull(key);
        } else {
          out.put(key, tree(e.getValue()));
        }
      }
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(tree(o));
      }
      return out;
    }
    return JsonTrees.deepCopy(value);
  }

  /**
   * Writes objects as one YAML stream, documents separated by {@code ---} lines, formatted like
   * {@code kustomize build}'s output.
   *
   * @param objects JSON-compatible trees
   * @return the stream; empty when {@code objects} is empty
   */
  public static String dumpAll(List<Map<String, Object>> objects) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < objects.size(); i++) {
      if (i > 0) {
        b.append("---\n");
      }
      b.append(YamlEmitter.document(objects.get(i)));
    }
    return b.toString();
  }

  /** One tree as YAML (a map, list or scalar), in the same style as {@link #dumpAll(List)}. */
  public static String dump(Map<String, Object> object) {
    return YamlEmitter.document(object);
  }

  private static String describe(Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof List) {
      return "a sequence";
    }
    // Never the scalar itself: a file listed by mistake (a .env, a key) would carry its content into status,
    // events and notifications.
    return "a scalar (" + o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)
        + "); its content is not shown";
  }
}
