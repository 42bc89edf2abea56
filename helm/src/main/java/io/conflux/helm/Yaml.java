package io.conflux.helm;

import io.conflux.kustomize.yaml.YamlBoundException;
import io.conflux.kustomize.yaml.YamlBounds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

/** YAML in and out as JSON-compatible trees (String keys, Long/Integer/Double/Boolean/String/null, List, Map). */
final class Yaml {

  private Yaml() {
  }

  private static LoadSettings settings(YamlBounds bounds) {
    return bounds.settings("yaml").setSchema(new CoreSchema()).build();
  }

  /**
   * One document; null for an empty one.
   *
   * @throws org.snakeyaml.engine.v2.exceptions.YamlEngineException on a syntax error or beyond
   *     {@link YamlBounds#MANIFESTS} (a {@link io.conflux.kustomize.yaml.YamlBoundException})
   */
  static Object load(String text) {
    return normalize(YamlBounds.MANIFESTS.load(settings(YamlBounds.MANIFESTS), text));
  }

  /**
   * One document with every scalar kept as a string (Failsafe schema), as Go reads string fields: a chart
   * version written {@code 1.10} stays {@code "1.10"}.
   *
   * @param bounds {@link YamlBounds#MANIFESTS} for chart files, {@link YamlBounds#REPOSITORY_INDEX} for a repository's
   *     {@code index.yaml} (tens of MiB for the biggest public repositories)
   */
  static Object loadStrings(String text, YamlBounds bounds) {
    return normalize(bounds.load(bounds.settings("yaml").setSchema(new FailsafeSchema()).build(), text));
  }

  /** All documents of a stream, empty ones included as null, within {@link YamlBounds#MANIFESTS}. */
  static List<Object> loadAll(String text) {
    List<Object> out = new ArrayList<>();
    for (Object doc : YamlBounds.MANIFESTS.loadAll(settings(YamlBounds.MANIFESTS), text)) {
      out.add(normalize(doc));
    }
    return out;
  }

  /**
   * What went wrong reading YAML, for a message: the problem and its position ({@link YamlErrors#describe}), e.g.
   * {@code excessive aliasing: ... (line 9, column 3)} for a bound exceeded ({@link YamlBoundException}), never the
   * quoted snippet of the input that SnakeYAML puts in its messages (values and chart output can hold secrets).
   */
  static String problem(RuntimeException e) {
    return YamlErrors.describe(e);
  }

  /**
   * JSON text of a tree. Helm reads values files as YAML 1.1, where unquoted {@code yes}, {@code on} or
   * {@code 0123} are not strings; in JSON every string is quoted, so strings stay strings.
   */
  static String json(Object tree) {
    StringBuilder out = new StringBuilder();
    writeJson(tree, out);
    return out.toString();
  }

  private static void writeJson(Object node, StringBuilder out) {
    if (node == null) {
      out.append("null");
    } else if (node instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString(String.valueOf(e.getKey()), out);
        out.append(':');
        writeJson(e.getValue(), out);
      }
      out.append('}');
    } else if (node instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        writeJson(list.get(i), out);
      }
      out.append(']');
    } else if (node instanceof Boolean
        || node instanceof Number n && !(n instanceof Double d && (d.isNaN() || d.isInfinite()))
        && !(n instanceof Float f && (f.isNaN() || f.isInfinite()))) {
      out.append(node);
    } else {
      writeString(String.valueOf(node), out);
    }
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Deep copy with String keys (as Go's YAML-to-JSON conversion makes them) and mutable containers. */
  static Object normalize(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(String.valueOf(e.getKey()), normalize(e.getValue()));
      }
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(normalize(item));
      }
      return out;
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> deepCopy(Map<String, Object> map) {
    return (Map<String, Object>) normalize(map);
  }
}
