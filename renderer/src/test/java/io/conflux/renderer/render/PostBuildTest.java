package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.kustomize.CommonMetadata;
import io.conflux.model.kustomize.PostBuild.SubstituteReference;
import io.conflux.kustomize.yaml.KYaml;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flux's post-build rules: commonMetadata, ${var}, ${var:=default}, $${var}, precedence, opt-out. */
class PostBuildTest {

    @Test
    void substitutesWithDefaultsEscapesAndEmptyForUnset() {
        Map<String, String> vars = Map.of("cluster", "staging", "replicas", "3");
        assertThat(PostBuild.substitute("name: app-${cluster}", vars)).isEqualTo("name: app-staging");
        assertThat(PostBuild.substitute("region: ${region:=eu-west-1}", vars)).isEqualTo("region: eu-west-1");
        assertThat(PostBuild.substitute("cluster: ${cluster:=other}", vars)).isEqualTo("cluster: staging");
        assertThat(PostBuild.substitute("literal: $${cluster}", vars)).isEqualTo("literal: ${cluster}");
        assertThat(PostBuild.substitute("unset: '${nothing}'", vars)).isEqualTo("unset: ''");
        assertThat(PostBuild.substitute("price: $5 and $HOME", vars)).isEqualTo("price: $5 and $HOME");
    }

    @Test
    void inlineSubstituteWinsOverSourcesAndLaterSourcesWin() {
        var postBuild = new io.conflux.model.kustomize.PostBuild(Map.of("a", "inline"), List.of(
                new SubstituteReference("ConfigMap", "first", null),
                new SubstituteReference("Secret", "second", null),
                new SubstituteReference("ConfigMap", "absent", true)));
        Map<String, String> vars = PostBuild.variables(postBuild, (kind, name) -> switch (kind + "/" + name) {
            case "ConfigMap/first" -> Map.of("a", "cm", "b", "cm", "c", "cm");
            case "Secret/second" -> Map.of("b", "secret");
            default -> null;
        });
        assertThat(vars).containsEntry("a", "inline").containsEntry("b", "secret").containsEntry("c", "cm");

        var required = new io.conflux.model.kustomize.PostBuild(null, List.of(new SubstituteReference("ConfigMap", "vars", false)));
        assertThatThrownBy(() -> PostBuild.variables(required, (k, n) -> null))
                .hasMessageContaining("ConfigMap/vars").hasMessageContaining("not found");
        assertThatThrownBy(() -> PostBuild.variables(new io.conflux.model.kustomize.PostBuild(Map.of("bad-name", "x"), null), (k, n) -> null))
                .hasMessageContaining("var name is invalid");
    }

    @Test
    @SuppressWarnings("unchecked")
    void appliesCommonMetadataAndTypesSubstitutedValuesAndHonoursOptOut() {
        List<Map<String, Object>> objects = KYaml.parseAll("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                  labels: {app: web}
                spec:
                  replicas: ${replicas}
                  selector: {matchLabels: {app: web}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: raw
                  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}
                data: {script: "echo ${HOME}"}
                """, "objects.yaml");
        List<Map<String, Object>> out = PostBuild.apply(objects, new CommonMetadata(Map.of("team", "platform"), Map.of("owner", "ops")),
                Map.of("replicas", "3"), true);

        Map<?, ?> deployment = out.get(0);
        assertThat(((Map<?, ?>) deployment.get("spec")).get("replicas")).isEqualTo(3L);
        Map<?, ?> meta = (Map<?, ?>) deployment.get("metadata");
        assertThat((Map<Object, Object>) meta.get("labels")).containsEntry("app", "web").containsEntry("team", "platform");
        assertThat((Map<Object, Object>) meta.get("annotations")).containsEntry("owner", "ops");
        Map<?, ?> selector = (Map<?, ?>) ((Map<?, ?>) deployment.get("spec")).get("selector");
        assertThat((Map<Object, Object>) selector.get("matchLabels")).doesNotContainKey("team");
        assertThat(((Map<?, ?>) out.get(1).get("data")).get("script")).isEqualTo("echo ${HOME}");
        assertThat(((Map<?, ?>) ((Map<?, ?>) objects.get(0).get("spec"))).get("replicas")).isEqualTo("${replicas}");
    }

    /** Flux drops line breaks from every variable value, from substituteFrom and from substitute alike. */
    @Test
    void lineBreaksAreRemovedFromValues() {
        var postBuild = new io.conflux.model.kustomize.PostBuild(Map.of("inline", "a\nb\n"),
                List.of(new SubstituteReference("Secret", "s", null)));
        assertThat(PostBuild.variables(postBuild, (k, n) -> Map.of("token", "t0k3n\n")))
                .containsEntry("inline", "ab").containsEntry("token", "t0k3n");
    }

    /** Strict mode names the variable and the object; a default or a disabled object is fine; values never shown. */
    @Test
    void strictModeFailsOnAnUndefinedVariableNamingItAndTheObject() {
        List<Map<String, Object>> objects = KYaml.parseAll("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  region: "${region:=eu-west-1}"
                  zone: "${zone}"
                  secret: "${known}"
                """, "settings.yaml");
        assertThatThrownBy(() -> PostBuild.apply(objects, null, Map.of("known", "s3cr3t"), true, true))
                .isInstanceOf(PostBuild.UndefinedVariableException.class)
                .hasMessageStartingWith("post build failed for 'ConfigMap/settings': variable substitution failed: "
                        + "variable not set (strict mode): \"zone\"")
                .message().doesNotContain("s3cr3t");
        Map<?, ?> lenient = (Map<?, ?>) PostBuild.apply(objects, null, Map.of("known", "k"), true, false).get(0).get("data");
        assertThat(lenient.get("region")).isEqualTo("eu-west-1");
        assertThat(lenient.get("secret")).isEqualTo("k");
        assertThat(lenient.get("zone")).as("empty (null once unquoted in the YAML, as in Flux)").isIn("", null);
        assertThatThrownBy(() -> PostBuild.apply(KYaml.parseAll("kind: ConfigMap\nmetadata: {name: odd}\ndata: {x: '${-x}'}\n",
                "odd.yaml"), null, Map.of("a", "b"), true, true))
                .isInstanceOf(io.conflux.kustomize.KustomizeException.class)
                .hasMessage("post build failed for 'ConfigMap/odd': variable substitution failed: unable to parse variable name");
    }

    /** A substituted value that breaks the YAML is not quoted back (it usually comes from a Secret). */
    @Test
    void invalidYamlAfterSubstitutionNamesObjectAndLineNotTheValue() {
        String canary = "c4n4ry-0e9f1a";
        List<Map<String, Object>> objects = KYaml.parseAll("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: db
                stringData:
                  password: ${db_password}
                """, "secret.yaml");
        for (String value : List.of("*" + canary, canary + "\n  x: : y", "'" + canary)) {
            assertThatThrownBy(() -> PostBuild.apply(objects, null, Map.of("db_password", value), true))
                    .isInstanceOf(io.conflux.kustomize.KustomizeException.class)
                    .hasMessageStartingWith("post build failed for 'Secret/db': the substituted variables make")
                    .message().doesNotContain(canary);
        }
    }
}
