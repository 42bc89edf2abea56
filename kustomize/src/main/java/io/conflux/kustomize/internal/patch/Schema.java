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
 *
 * <p>A custom schema set by a kustomization below the top one, once resources were already loaded, is layered over
 * the built-in one ({@link #openApiOverBuiltin}): kyaml then parses the built-in definitions as well, after the custom
 * ones, because an earlier namespace-scope check had marked them for a delayed parse (kyaml/openapi/openapi.go
 * initSchema, {@code schemaParseDelayed}; kustomize issue 4179's test {@code TestCustomOpenApiFieldFromComponentWithOverlays}).
 */
public final class Schema {
  private static final Schema BUILTIN = new Schema(null);

  /** An object of a built-in kind, to ask {@link MergeKeys} about the lists of built-in definitions by field path. */
  private static final Gvk BUILTIN_KIND = new Gvk("apps", "v1", "Deployment");

  private final Map<String, Object> definitions;
  /** True when built-in definitions win over the custom ones (see {@link #openApiOverBuiltin}). */
  private final boolean overBuiltin;

  private Schema(Map<String, Object> definitions) {
    this(definitions, false);
  }

  private Schema(Map<String, Object> definitions, boolean overBuiltin) {
    this.definitions = definitions;
    this.overBuiltin = overBuiltin;
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

  /**
   * A custom schema merged with the built-in one, as kyaml has it when the built-in definitions are parsed after the
   * custom document: built-in kinds and every Kubernetes definition ({@code io.k8s.*}, defined in the custom document
   * or not) follow the built-in schema; the custom document's own types follow it.
   */
  public static Schema openApiOverBuiltin(Map<String, Object> document) {
    Map<String, Object> defs = JsonTrees.map(document, "definitions");
    return new Schema(defs == null ? Map.of() : defs, true);
  }

  /** The strategy of the list at {@code path} (field names, list indexes left out) of a {@code gvk} object. */
  public ListStrategy strategy(Gvk gvk, List<String> path) {
    if (definitions == null || overBuiltin && MergeKeys.isBuiltin(gvk)) {
      return MergeKeys.strategy(gvk, path);
    }
    Object node = definitionOf(gvk);
    for (String field : path) {
      if (overBuiltin && builtinRef(node)) {
        return MergeKeys.strategy(BUILTIN_KIND, path);
      }
      node = resolve(node);
      if (node == null) {
        return ListStrategy.REPLACE;
      }
      if (JsonTrees.get(node, "items") != null && JsonTrees.map(node, "properties") == null) {
        node = resolve(JsonTrees.get(node, "items"));
      }
      node = JsonTrees.get(node, "properties", field);
    }
    if (overBuiltin && builtinRef(node)) {
      return MergeKeys.strategy(BUILTIN_KIND, path);
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

  /** True when {@code node} (or its list items) refers to a Kubernetes definition, which the built-in schema defines. */
  private static boolean builtinRef(Object node) {
    String ref = JsonTrees.string(node, "$ref");
    if (ref == null && JsonTrees.get(node, "items") != null) {
      ref = JsonTrees.string(JsonTrees.get(node, "items"), "$ref");
    }
    return ref != null && ref.startsWith("#/definitions/io.k8s.");
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
