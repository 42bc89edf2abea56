package io.conflux.model.helm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The content of a HelmRelease's rendered bundle (the renderer writes it, the applier reads it from PostgreSQL).
 *
 * <p>Two shapes are read, so bundles stored before hooks were kept still apply:
 * <ul>
 *   <li>a JSON array of objects (the Kustomization shape; every HelmRelease bundle stored before this format): the
 *       release's objects, no hooks, no release record ({@link #release} null);</li>
 *   <li>a JSON object {@code {"objects": [...], "hooks": [...], "release": {...}}}, written for every HelmRelease now:
 *       {@code objects} are what is applied, pruned and listed in the inventory (the chart's {@code crds/} first, then
 *       the post-rendered release manifest); {@code hooks} are the chart's hook objects (annotation
 *       {@code helm.sh/hook}, test hooks included) as Helm rendered them, never post-rendered (Helm's post-renderer
 *       sees hooks, Flux's kustomize post-renderer does too, but Conflux leaves them as the chart has them — reported
 *       in the README), never in the inventory; {@code release} what Helm's release record needs besides them.</li>
 * </ul>
 *
 * @param objects the release's objects, in apply order (JSON trees)
 * @param hooks   the hook objects in Helm's manifest order (kind order, then template file), each with its
 *                {@code helm.sh/hook*} annotations; empty for the array shape
 * @param release the chart and values of the release, null for the array shape
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReleaseBundle(List<Map<String, Object>> objects, List<Map<String, Object>> hooks, Release release) {

    /**
     * The parts of Helm's release record ({@code helm.sh/helm/v4/pkg/release/v1.Release}) that come from the render.
     *
     * @param chartMetadata     the chart's {@code Chart.yaml} as a tree (Helm's {@code chart.metadata}: {@code name},
     *                          {@code version}, {@code appVersion}, …); the version is the one rendered
     * @param chartValues       the chart's default values ({@code values.yaml}, or what {@code valuesFiles} made
     *                          them), Helm's {@code chart.values}
     * @param config            the user values: {@code valuesFrom} merged then {@code values} (Helm's {@code config},
     *                          what {@code helm get values} prints)
     * @param valuesFromSecrets names of the Secrets ({@code namespace/name}) {@code config} took values from; a bundle
     *                          naming one is stored only encrypted (the renderer's BundleStore)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Release(Map<String, Object> chartMetadata, Map<String, Object> chartValues,
                          Map<String, Object> config, List<String> valuesFromSecrets) {
    }

    /** Canonical form: null lists become empty. */
    public ReleaseBundle {
        objects = objects == null ? List.of() : objects;
        hooks = hooks == null ? List.of() : hooks;
    }

    /**
     * Reads either shape.
     *
     * @param json    the mapper
     * @param content a bundle's JSON
     * @return the bundle
     * @throws UncheckedIOException when it is neither a JSON array of objects nor the object shape
     */
    public static ReleaseBundle parse(ObjectMapper json, String content) {
        try {
            JsonNode root = json.readTree(content);
            if (root != null && root.isArray()) {
                return new ReleaseBundle(json.convertValue(root, new TypeReference<List<Map<String, Object>>>() { }),
                        List.of(), null);
            }
            if (root == null || !root.isObject()) {
                throw new IOException("a bundle is a JSON array or object, not " + (root == null ? "empty" : root.getNodeType()));
            }
            return json.treeToValue(root, ReleaseBundle.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param json the mapper
     * @return the object shape as JSON text
     * @throws UncheckedIOException when a value cannot be serialized
     */
    public String write(ObjectMapper json) {
        try {
            return json.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
