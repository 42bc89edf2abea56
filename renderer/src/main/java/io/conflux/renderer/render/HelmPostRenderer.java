package io.conflux.renderer.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.LoadRestrictions;
import io.conflux.kustomize.ResourceList;
import io.conflux.model.helm.PostRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * helm-controller's post-rendering of a release manifest (its {@code postrender.BuildPostRenderers}): each
 * {@code spec.postRenderers[].kustomize}, in order, is a kustomize build whose only resource is the manifest so far
 * ({@code helm-output.yaml}) with the entry's {@code patches}, {@code images} and the deprecated
 * {@code patchesStrategicMerge}/{@code patchesJson6902}, load restrictions off and objects kept in input order. The
 * builds are Conflux's kustomize engine, the one Kustomizations use. The chart's {@code crds/} objects are not
 * post-rendered (Helm installs them apart). helm-controller's last post-renderer, the origin labels
 * {@code helm.toolkit.fluxcd.io/name}/{@code namespace}, is the applier's: it sets them on every object it applies.
 */
public final class HelmPostRenderer {
    private static final String INPUT = "helm-output.yaml";

    private final ObjectMapper json;

    /** @param json writes the generated kustomization file */
    public HelmPostRenderer(ObjectMapper json) {
        this.json = json;
    }

    /**
     * @param manifest      the release manifest's objects, in Helm's order (not modified)
     * @param postRenderers {@code spec.postRenderers}, or null
     * @return the post-rendered objects ({@code manifest} itself when there is nothing to do)
     * @throws KustomizeException when a post-renderer does not build (a patch that does not parse, a
     *                            {@code patchesJson6902} entry without target, a JSON patch path that does not exist)
     */
    public List<Map<String, Object>> apply(List<Map<String, Object>> manifest, List<PostRenderer> postRenderers) {
        List<Map<String, Object>> objects = manifest;
        if (postRenderers != null) {
            int index = 0;
            for (PostRenderer renderer : postRenderers) {
                if (renderer != null && renderer.kustomize() != null && !objects.isEmpty()) {
                    objects = kustomize(objects, renderer.kustomize(), index);
                }
                index++;
            }
        }
        return objects;
    }

    private List<Map<String, Object>> kustomize(List<Map<String, Object>> objects, PostRenderer.Kustomize spec, int index) {
        Map<String, Object> kustomization = new LinkedHashMap<>();
        kustomization.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
        kustomization.put("kind", "Kustomization");
        kustomization.put("resources", List.of(INPUT));
        // krusty as helm-controller calls it does no legacy sort: objects stay in Helm's order
        kustomization.put("sortOptions", Map.of("order", "fifo"));
        try {
            if (spec.images() != null && !spec.images().isEmpty()) {
                kustomization.put("images", spec.images());
            }
            if (spec.patches() != null && !spec.patches().isEmpty()) {
                kustomization.put("patches", spec.patches());
            }
            if (spec.patchesStrategicMerge() != null && !spec.patchesStrategicMerge().isEmpty()) {
                List<String> inline = new ArrayList<>();
                for (Map<String, Object> patch : spec.patchesStrategicMerge()) {
                    inline.add(json.writeValueAsString(patch) + "\n");
                }
                kustomization.put("patchesStrategicMerge", inline);
            }
            if (spec.patchesJson6902() != null && !spec.patchesJson6902().isEmpty()) {
                List<Map<String, Object>> entries = new ArrayList<>();
                for (PostRenderer.Json6902Patch patch : spec.patchesJson6902()) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    if (patch.target() != null) {
                        entry.put("target", patch.target());
                    }
                    entry.put("patch", json.writeValueAsString(patch.patch() == null ? List.of() : patch.patch()));
                    entries.add(entry);
                }
                kustomization.put("patchesJson6902", entries);
            }
            String kustomizationText = json.writeValueAsString(kustomization);
            try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
                Path dir = Files.createDirectories(fs.getPath("/postRenderers[" + index + "]"));
                Files.writeString(dir.resolve(INPUT), new ResourceList(objects).toYaml());
                Files.writeString(dir.resolve("kustomization.yaml"), kustomizationText);
                return Kustomizer.create().withLoadRestrictions(LoadRestrictions.NONE).build(dir).objects();
            } catch (KustomizeException e) {
                throw new KustomizeException("postRenderers[" + index + "]: " + e.getMessage(), e);
            }
        } catch (JsonProcessingException e) {
            throw new KustomizeException("postRenderers[" + index + "]: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
