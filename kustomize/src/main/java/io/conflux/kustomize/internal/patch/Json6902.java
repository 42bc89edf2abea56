package io.conflux.kustomize.internal.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import java.util.List;
import java.util.Map;

/**
 * RFC 6902 JSON patches applied to one object (follows api/filters/patchjson6902, which uses
 * evanphx/json-patch); here applied with zjsonpatch.
 */
public final class Json6902 {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json6902() {}

  private static String describe(JsonNode doc) {
    return doc.path("kind").asText() + " " + doc.path("metadata").path("name").asText();
  }

  /**
   * Applies one operation the way evanphx/json-patch does for kustomize: {@code remove} of a
   * missing member fails, {@code replace} of a missing object member adds it.
   */
  @SuppressWarnings("unchecked")
  private static JsonNode applyOne(JsonNode doc, Object operation, String patchName) {
    if (!(operation instanceof Map<?, ?> op)) {
      throw new KustomizeException(patchName + ": a JSON patch operation must be a mapping, got "
          + (operation instanceof List<?> ? "a sequence" : "a scalar"));
    }
    Map<String, Object> o = new java.util.LinkedHashMap<>((Map<String, Object>) op);
    String kind = JsonTrees.string(o, "op");
    String path = JsonTrees.string(o, "path");
    if (path != null && ("remove".equals(kind) || "replace".equals(kind)) && doc.at(path).isMissingNode()) {
      if ("remove".equals(kind)) {
        throw new KustomizeException(patchName + ": unable to apply JSON patch to " + describe(doc)
            + ": error in remove for path: '" + path + "': Unable to remove nonexistent key");
      }
      int slash = path.lastIndexOf('/');
      JsonNode parent = slash <= 0 ? doc : doc.at(path.substring(0, slash));
      if (parent.isObject()) {
        o.put("op", "add");
      }
    }
    try {
      return JsonPatch.apply(MAPPER.valueToTree(List.of(o)), doc);
    } catch (IllegalStateException e) {
      // zjsonpatch's "Object operation on array target": a member name where the path meets a list
      throw new KustomizeException(patchName + ": unable to apply JSON patch to " + describe(doc) + ": error in "
          + kind + " for path: '" + path + "': " + e.getMessage(), e);
    }
  }

  /**
   * Applies the operations to a copy of {@code target}.
   *
   * @param operations the parsed patch: a list of {@code {op, path, value, from}} maps
   * @param patchName shown in error messages
   * @return the patched object
   * @throws KustomizeException when an operation fails (missing path, failed test, ...)
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> apply(Map<String, Object> target, List<Object> operations, String patchName) {
    JsonNode source = MAPPER.valueToTree(target);
    try {
      JsonNode result = source;
      for (Object operation : operations) {
        result = applyOne(result, operation, patchName);
      }
      Object out = MAPPER.convertValue(result, Object.class);
      if (!(out instanceof Map<?, ?>)) {
        throw new KustomizeException(patchName + ": JSON patch did not produce an object");
      }
      return (Map<String, Object>) JsonTrees.deepCopy(out);
    } catch (JsonPatchApplicationException | IllegalArgumentException e) {
      throw new KustomizeException(patchName + ": unable to apply JSON patch to " + describe(source) + ": "
          + e.getMessage(), e);
    }
  }
}
