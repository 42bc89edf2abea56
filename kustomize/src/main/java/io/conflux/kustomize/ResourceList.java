package io.conflux.kustomize;

import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.yaml.KYaml;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The result of a build: Kubernetes objects in kustomize's output order. Immutable.
 *
 * <p>Each object is a JSON-compatible tree of {@link java.util.LinkedHashMap}, {@link java.util.ArrayList},
 * {@link String}, {@link Long}/{@link Integer}, {@link Double}, {@link Boolean} and {@code null}.
 */
public final class ResourceList {
  private final List<Map<String, Object>> objects;

  /** Wraps deep, unmodifiable copies of {@code objects}. */
  public ResourceList(List<Map<String, Object>> objects) {
    List<Map<String, Object>> copy = new ArrayList<>(objects.size());
    for (Map<String, Object> o : objects) {
      copy.add(JsonTrees.unmodifiableDeepCopy(o));
    }
    this.objects = Collections.unmodifiableList(copy);
  }

  /** The objects, in output order; the lists and maps are unmodifiable. */
  public List<Map<String, Object>> objects() {
    return objects;
  }

  /** The YAML stream {@code kustomize build} prints: documents separated by {@code ---}. */
  public String toYaml() {
    return KYaml.dumpAll(objects);
  }

  @Override
  public String toString() {
    return toYaml();
  }
}
