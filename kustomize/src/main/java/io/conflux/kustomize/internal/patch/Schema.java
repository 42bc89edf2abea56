package io.conflux.kustomize.internal.patch;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Gvk;
import java.util.List;
import java.util.Map;

/**
 * Where strategic merge looks up how lists merge: kustomize's built-in Kubernetes schema
 * ({@link MergeKeys}), or — when a kustomization sets {@code openapi: {path: ...}} — that OpenAPI v2
 * document instead (it replaces the built-in schema, as in kustomize). Lists of a type without a
 * schema are replaced.
 */
public final class Schema {
  private static final Schema BUILTIN = new Schema(null);

  private final Map<String, Object> definitions;

  private Schema(Map<String, Object> definitions) {
    this.definitions = definitions;
  }

  /** kustomize's built-in Kubernetes schema. */
  public static Schema builtin() {
    return BUILTIN;
  }

  /** A schema read from an OpenAPI v2 document ({@code definitions} with x-kubernetes extensions). */
  public static Schema openApi(Map<String, Object> document) {
    Map<String, Object> defs = JsonTrees.map(document, "definitions");
    return new Schema(defs == null ? Map.of() : defs);
  }

  /** The strategy of the list at {@code path} (field names, list indexes left out) of a {@code gvk} object. */
  public ListStrategy strategy(Gvk gvk, List<String> path) {
    if (definitions == null) {
      return MergeKeys.strategy(gvk, path);
    }
    Object node = definitionOf(gvk);
    for (String field : path) {
      node = resolve(node);
      if (node == null) {
        return ListStrategy.REPLACE;
      }
      if (JsonTrees.get(node, "items") != null && JsonTrees.map(node, "properties") == null) {
        node = resolve(JsonTrees.get(node, "items"));
      }
      node = JsonTrees.get(node, "properties", field);
    }
    node = resolve(node);
    String strategy = JsonTrees.string(node, "x-kubernetes-patch-strategy");
    if (strategy == null || !List.of(strategy.split(",")).contains("merge")) {
      return ListStrategy.REPLACE;
    }
    String key = JsonTrees.string(node, "x-kubernetes-patch-merge-key");
    if (JsonTrees.get(node, "x-kubernetes-list-map-keys") instanceof List<?> mapKeys && !mapKeys.isEmpty()) {
      List<String> keys = new java.util.ArrayList<>();
      if (key != null) {
        keys.add(key);
      }
      for (Object k : mapKeys) {
        if (!keys.contains(String.valueOf(k))) {
          keys.add(String.valueOf(k));
        }
      }
      return ListStrategy.byKeys(keys, Map.of());
    }
    return key == null ? ListStrategy.PRIMITIVES : ListStrategy.byKey(key);
  }

  private Object definitionOf(Gvk gvk) {
    for (Object def : definitions.values()) {
      if (JsonTrees.get(def, "x-kubernetes-group-version-kind") instanceof List<?> gvks) {
        for (Object g : gvks) {
          if (gvk.equals(new Gvk(JsonTrees.string(g, "group"), JsonTrees.string(g, "version"),
              JsonTrees.string(g, "kind")))) {
            return def;
          }
        }
      }
    }
    return null;
  }

  private Object resolve(Object node) {
    for (int i = 0; i < 32 && node != null; i++) {
      String ref = JsonTrees.string(node, "$ref");
      if (ref == null) {
        return node;
      }
      node = definitions.get(ref.startsWith("#/definitions/") ? ref.substring("#/definitions/".length()) : ref);
    }
    return node;
  }
}
