package io.conflux.model.helm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.kustomize.Image;
import io.conflux.model.kustomize.Patch;
import io.conflux.model.kustomize.Selector;
import java.util.List;
import java.util.Map;

/**
 * An entry of {@code HelmRelease.spec.postRenderers}: helm-controller runs each one, in order, on the manifests
 * Helm rendered (not on the chart's {@code crds/}), before they are applied.
 *
 * @param kustomize a kustomize build over the rendered manifests; null when the entry has none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PostRenderer(Kustomize kustomize) {

    /**
     * {@code postRenderers[].kustomize}: the kustomization fields helm-controller passes to kustomize.
     *
     * @param patches               strategic merge or JSON 6902 patches (YAML text) with an optional target
     * @param patchesStrategicMerge deprecated ({@code v2beta1}/{@code v2beta2}): strategic merge patches as objects
     * @param patchesJson6902       deprecated ({@code v2beta1}/{@code v2beta2}): JSON 6902 operations with a target
     * @param images                image name/tag/digest overrides
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Kustomize(List<Patch> patches, List<Map<String, Object>> patchesStrategicMerge,
                            List<Json6902Patch> patchesJson6902, List<Image> images) {
    }

    /**
     * An entry of the deprecated {@code patchesJson6902}.
     *
     * @param target the objects to patch (required)
     * @param patch  the operations ({@code op}, {@code path}, {@code value}, {@code from})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Json6902Patch(Selector target, List<Map<String, Object>> patch) {
    }
}
