package io.conflux.kustomize.internal.resource;

import io.conflux.kustomize.internal.JsonTrees;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How generated ConfigMaps and Secrets with behavior merge or replace take over an existing one
 * (follows Resource.CopyMergeMetaDataFieldsFrom, MergeDataMapFrom and MergeBinaryDataMapFrom).
 */
final class GeneratorMerge {
  private GeneratorMerge() {}

  /**
   * Labels and annotations: old's overlaid by new's; name, namespace and previous ids from old; behavior
   * from new; the hash is added only when both want it. The origin annotation is old's for behavior merge
   * and new's (old's when new has none) for replace, as reswrangler.appendReplaceOrMerge keeps it.
   */
  static void copyMergeMetaData(Resource res, Resource old) {
    String origin = res.origin();
    Map<String, String> labels = new LinkedHashMap<>(old.labels());
    labels.putAll(res.labels());
    res.setLabels(labels);
    Map<String, String> annotations = new LinkedHashMap<>(old.annotations());
    annotations.putAll(res.annotations());
    res.setAnnotations(annotations);
    res.setName(old.name());
    res.setNamespace(old.namespace());
    String behavior = res.behavior();
    boolean needsHash = res.needsHashSuffix();
    res.copyKustomizeFieldsFrom(old);
    res.setBehavior(behavior);
    res.setNeedsHashSuffix(needsHash && old.needsHashSuffix());
    if ("replace".equals(behavior) && origin != null) {
      res.setOrigin(origin);
    }
  }

  /** data and binaryData: old's entries overlaid by new's. */
  static void mergeData(Resource res, Resource old) {
    for (String field : new String[] {"data", "binaryData"}) {
      Map<String, Object> merged = new LinkedHashMap<>();
      Map<String, Object> o = JsonTrees.map(old.object(), field);
      Map<String, Object> n = JsonTrees.map(res.object(), field);
      if (o != null) {
        merged.putAll(o);
      }
      if (n != null) {
        merged.putAll(n);
      }
      if (!merged.isEmpty()) {
        res.object().put(field, merged);
      }
    }
  }
}
