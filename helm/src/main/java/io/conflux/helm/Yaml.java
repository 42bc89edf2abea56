package io.conflux.helm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

/** YAML in and out as JSON-compatible trees (String keys, Long/Integer/Double/Boolean/String/null, List, Map). */
final class Yaml {

  private Yaml() {
  }

  private static LoadSettings settings() {
    return LoadSettings.builder()
        .setSchema(new CoreSchema())
        // repository indexes (index.yaml) of big repositories run to tens of MiB
        .setCodePointLimit(Integer.MAX_VALUE)
        .build();
  }

  /** One document; null for an empty one. */
  static Object load(String text) {
    return normalize(new Load(settings()).loadFromString(text));
  }

  /**
   * One document with every scalar kept as a string (Failsafe schema), as Go reads string fields: a chart
   * version written {@code 1.10} stays {@code "1.10"}.
   */
  static Object loadStrings(String text) {
    LoadSettings settings = LoadSettings.builder()
        .setSchema(new FailsafeSchema())
        .setCodePointLimit(Integer.MAX_VALUE)
        .build();
    return normalize(new Load(settings).loadFromString(text));
  }

  /** All documents of a stream, empty ones included as null. */
  static List<Object> loadAll(String text) {
    List<Object> out = new ArrayList<>();
    for (Object doc : new Load(settings()).loadAllFromString(text)) {
      out.add(normalize(doc));
    }
    return out;
  }

  static String dump(Object tree) {
    DumpSettings settings = DumpSettings.builder()
        .setDefaultFlowStyle(FlowStyle.BLOCK)
        .setSchema(new CoreSchema())
        .setWidth(Integer.MAX_VALUE)
        .build();
    return new Dump(settings).dumpToString(tree);
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
