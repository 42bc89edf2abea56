package io.conflux.kustomize.internal.transform;

import io.conflux.kustomize.internal.resource.ResMap;

/** A step that changes the resources of a build in place (kustomize's resmap.Transformer). */
@FunctionalInterface
public interface Transformer {
  /**
   * Transforms the resources.
   *
   * @throws io.conflux.kustomize.KustomizeException when the transformation fails
   */
  void transform(ResMap m);
}
