package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.fieldspec.FieldSpec;
import io.conflux.kustomize.internal.fieldspec.NameBackRef;
import io.conflux.kustomize.internal.fieldspec.TransformerConfig;
import io.conflux.kustomize.internal.resource.Gvk;
import io.conflux.kustomize.yaml.KYaml;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Name references declared by the OpenAPI definitions of the {@code crds} files (follows
 * api/internal/accumulator/loadconfigfromcrds.go). A file maps definition names to
 * {@code {Schema: {properties: ...}}}; a definition with {@code apiVersion} and {@code kind}
 * properties is a kind named after the last dot-separated part of its name; a property carrying
 * {@code x-kubernetes-object-ref-kind} (with {@code x-kubernetes-object-ref-api-version} and
 * optionally {@code x-kubernetes-object-ref-name-key}, default {@code name}) refers to an object of
 * that kind; {@code $ref}s are followed.
 */
final class CrdConfig {
  private CrdConfig() {}

  static void load(Loader loader, List<String> files, TransformerConfig config) {
    for (String f : files) {
      for (Object doc : KYaml.parseDocuments(loader.readText(f), loader.display(loader.resolve(f)), loader.resolve(f))) {
        if (!(doc instanceof Map<?, ?> defs)) {
          continue;
        }
        for (Map.Entry<?, ?> def : defs.entrySet()) {
          Map<String, Object> schema = JsonTrees.map(def.getValue(), "Schema");
          Map<String, Object> props = JsonTrees.map(schema, "properties");
          if (props == null || !props.containsKey("apiVersion") || !props.containsKey("kind")) {
            continue;
          }
          String name = String.valueOf(def.getKey());
          Gvk referrer = new Gvk("", "", name.substring(name.lastIndexOf('.') + 1));
          walk(defs, schema, "", referrer, config, new HashSet<>());
        }
      }
    }
  }

  private static void walk(Map<?, ?> defs, Map<String, Object> schema, String path, Gvk referrer,
      TransformerConfig config, Set<String> seen) {
    Map<String, Object> props = JsonTrees.map(schema, "properties");
    if (props == null) {
      return;
    }
    for (Map.Entry<String, Object> p : props.entrySet()) {
      String childPath = path.isEmpty() ? p.getKey() : path + "/" + p.getKey();
      String refKind = JsonTrees.string(p.getValue(), "x-kubernetes-object-ref-kind");
      if (refKind != null) {
        String version = JsonTrees.string(p.getValue(), "x-kubernetes-object-ref-api-version");
        String nameKey = JsonTrees.string(p.getValue(), "x-kubernetes-object-ref-name-key");
        Gvk target = new Gvk("", version, refKind);
        config.addBackRef(new NameBackRef(target, List.of(
            new FieldSpec(referrer, childPath + "/" + (nameKey == null ? "name" : nameKey), false))));
      }
      String ref = JsonTrees.string(p.getValue(), "$ref");
      if (ref != null && defs.get(ref) != null && seen.add(ref)) {
        walk(defs, JsonTrees.map(defs.get(ref), "Schema"), childPath, referrer, config, seen);
        seen.remove(ref);
      } else if (p.getValue() instanceof Map<?, ?>) {
        @SuppressWarnings("unchecked")
        Map<String, Object> inline = (Map<String, Object>) p.getValue();
        walk(defs, inline, childPath, referrer, config, seen);
      }
    }
  }
}
