package io.conflux.kustomize.internal.generate;

import io.conflux.kustomize.internal.JsonTrees;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of generated objects: labels, annotations, whether to add the name hash, immutability
 * (follows api/types/generatoroptions.go, MergeGlobalOptionsIntoLocal).
 */
public record GeneratorOptions(Map<String, String> labels, Map<String, String> annotations,
    boolean disableNameSuffixHash, boolean immutable) {

  /** Reads an options map; null gives empty options. */
  public static GeneratorOptions of(Map<String, Object> m) {
    if (m == null) {
      return new GeneratorOptions(Map.of(), Map.of(), false, false);
    }
    return new GeneratorOptions(JsonTrees.stringMap(m.get("labels")), JsonTrees.stringMap(m.get("annotations")),
        Boolean.TRUE.equals(m.get("disableNameSuffixHash")), Boolean.TRUE.equals(m.get("immutable")));
  }

  /** These (local) options completed with {@code global}: global entries fill absent keys, flags or-ed. */
  public GeneratorOptions withGlobal(GeneratorOptions global) {
    if (global == null) {
      return this;
    }
    Map<String, String> l = new LinkedHashMap<>(labels);
    global.labels.forEach(l::putIfAbsent);
    Map<String, String> a = new LinkedHashMap<>(annotations);
    global.annotations.forEach(a::putIfAbsent);
    return new GeneratorOptions(l, a, disableNameSuffixHash || global.disableNameSuffixHash,
        immutable || global.immutable);
  }
}
