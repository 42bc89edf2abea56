package io.conflux.kustomize.internal.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.Objects2;
import java.util.List;
import java.util.Map;

/**
 * RFC 6902 JSON patches applied to one object (follows api/filters/patchjson6902, which uses
 * evanphx/json-patch); here applied with zjsonpatch.
 */
public final class Json6902 {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json6902() {}

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
    JsonNode patch = MAPPER.valueToTree(operations);
    JsonNode source = MAPPER.valueToTree(target);
    try {
      JsonNode result = JsonPatch.apply(patch, source);
      Object out = MAPPER.convertValue(result, Object.class);
      if (!(out instanceof Map<?, ?>)) {
        throw new KustomizeException(patchName + ": JSON patch did not produce an object");
      }
      return (Map<String, Object>) Objects2.deepCopy(out);
    } catch (JsonPatchApplicationException e) {
      throw new KustomizeException(patchName + ": unable to apply JSON patch to "
          + Objects2.string(target, "kind") + " " + Objects2.string(Objects2.map(target, "metadata"), "name")
          + ": " + e.getMessage(), e);
    }
  }
}
