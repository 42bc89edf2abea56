package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.kustomize.KustomizationSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterInputsTest {
    private static KustomizationSpec spec(String json) {
        return Serialization.unmarshal(json, KustomizationSpec.class);
    }

    @Test
    void digestFollowsTheDataOfTheSubstitutionSourcesAndTheDecryptionSecret() {
        KustomizationSpec spec = spec("{\"postBuild\":{\"substituteFrom\":[{\"kind\":\"ConfigMap\",\"name\":\"vars\"},"
                + "{\"kind\":\"Secret\",\"name\":\"missing\",\"optional\":true}]},"
                + "\"decryption\":{\"provider\":\"sops\",\"secretRef\":{\"name\":\"sops-age\"}}}");
        Map<String, Map<String, String>> cluster = new HashMap<>();
        cluster.put("ConfigMap/vars", Map.of("region", "eu-west-1", "tier", "gold"));
        cluster.put("Secret/sops-age", Map.of("age.agekey", "AGE-SECRET-KEY-1..."));
        PostBuild.VariableSource source = (kind, name) -> cluster.get(kind + "/" + name);

        String first = ClusterInputs.digest(spec, source);
        assertThat(first).startsWith("sha256:");
        assertThat(ClusterInputs.digest(spec, source)).isEqualTo(first);
        cluster.put("ConfigMap/vars", Map.of("tier", "gold", "region", "eu-west-1"));
        assertThat(ClusterInputs.digest(spec, source)).as("order of keys does not matter").isEqualTo(first);
        cluster.put("ConfigMap/vars", Map.of("region", "us-east-1", "tier", "gold"));
        assertThat(ClusterInputs.digest(spec, source)).isNotEqualTo(first);
        String edited = ClusterInputs.digest(spec, source);
        cluster.put("Secret/missing", Map.of("a", "b"));
        assertThat(ClusterInputs.digest(spec, source)).as("an optional source appearing").isNotEqualTo(edited);
        cluster.put("Secret/sops-age", Map.of("age.agekey", "AGE-SECRET-KEY-2..."));
        assertThat(ClusterInputs.digest(spec, source)).as("a rotated key").isNotEqualTo(edited);
    }

    @Test
    void nothingReadFromTheClusterGivesNoDigest() {
        assertThat(ClusterInputs.digest(spec("{\"path\":\"./apps\"}"), (kind, name) -> null)).isEmpty();
    }
}
