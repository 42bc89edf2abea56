package io.conflux.renderer.render;

import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.kustomize.PostBuild.SubstituteReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a Kustomization's build reads from the management cluster besides its source: the {@code postBuild.substituteFrom}
 * ConfigMaps and Secrets and the {@code decryption.secretRef} Secret. Their digest tells the renderer, at each
 * {@code spec.interval}, whether a build could come out different although the revision did not move — Flux rebuilds
 * every interval, so an edited substitution ConfigMap reaches the cluster without a commit.
 */
final class ClusterInputs {
    private ClusterInputs() {
    }

    /**
     * @param spec      its spec
     * @param variables reads ConfigMap/Secret data (kind {@code ConfigMap} or {@code Secret}); null when absent
     * @return {@code sha256:<hex>} over the referenced objects' data (absent ones included as absent), or empty when
     *         the Kustomization reads nothing from the cluster
     */
    static String digest(KustomizationSpec spec, PostBuild.VariableSource variables) {
        Map<String, Map<String, String>> inputs = new TreeMap<>();
        if (spec.postBuild() != null && spec.postBuild().substituteFrom() != null) {
            for (SubstituteReference ref : spec.postBuild().substituteFrom()) {
                inputs.put(ref.kind() + "/" + ref.name(), sorted(variables.data(ref.kind(), ref.name())));
            }
        }
        if (spec.decryption() != null && spec.decryption().get("secretRef") instanceof Map<?, ?> secretRef
                && secretRef.get("name") != null) {
            String name = String.valueOf(secretRef.get("name"));
            inputs.put("Secret/" + name, sorted(variables.data("Secret", name)));
        }
        if (inputs.isEmpty()) {
            return "";
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            inputs.forEach((key, data) -> {
                sha256.update(key.getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
                sha256.update(String.valueOf(data).getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
            });
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> sorted(Map<String, String> data) {
        return data == null ? null : new TreeMap<>(data);
    }
}
