package io.conflux.kustomize.internal.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.yaml.KYaml;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Json6902Test {

  private static Map<String, Object> yaml(String text) {
    return KYaml.parseAll(text, "test.yaml").get(0);
  }

  private static List<Object> ops(String text) {
    return KYaml.parseDocuments(text, "ops.yaml", null);
  }

  @Test
  @SuppressWarnings("unchecked")
  void appliesOperationsWrittenInYaml() {
    List<Object> ops = (List<Object>) ops("""
        - op: replace
          path: /spec/replicas
          value: 3
        - op: add
          path: /spec/template/spec/containers/0/args
          value: ["--v=2"]
        - op: remove
          path: /metadata/labels/drop
        - op: copy
          from: /metadata/name
          path: /metadata/labels/name
        - op: test
          path: /kind
          value: Deployment
        """).get(0);
    Map<String, Object> out = Json6902.apply(yaml("""
        kind: Deployment
        metadata: {name: web, labels: {drop: x}}
        spec:
          replicas: 1
          template: {spec: {containers: [{name: app}]}}
        """), ops, "patch.yaml");
    assertThat(out).isEqualTo(yaml("""
        kind: Deployment
        metadata: {name: web, labels: {name: web}}
        spec:
          replicas: 3
          template: {spec: {containers: [{name: app, args: ["--v=2"]}]}}
        """));
  }

  @Test
  @SuppressWarnings("unchecked")
  void failingOperationsNameThePatch() {
    List<Object> ops = (List<Object>) ops("[{op: remove, path: /spec/missing}]").get(0);
    assertThatThrownBy(() -> Json6902.apply(yaml("kind: X\nmetadata: {name: a}\nspec: {}\n"), ops, "patch.yaml"))
        .isInstanceOf(KustomizeException.class).hasMessageStartingWith("patch.yaml: unable to apply JSON patch to X a")
        .hasMessageContaining("Unable to remove nonexistent key");
    List<Object> add = (List<Object>) ops("[{op: add, path: /nope/deeper, value: 1}]").get(0);
    assertThatThrownBy(() -> Json6902.apply(yaml("kind: X\nmetadata: {name: a}\n"), add, "patch.yaml"))
        .isInstanceOf(KustomizeException.class).hasMessageStartingWith("patch.yaml: unable to apply JSON patch");
  }

  @Test
  @SuppressWarnings("unchecked")
  void replacingAMissingMemberAddsItAsKustomizeDoes() {
    List<Object> ops = (List<Object>) ops("[{op: replace, path: /data/missing, value: v}]").get(0);
    assertThat(Json6902.apply(yaml("kind: ConfigMap\ndata: {a: b}\n"), ops, "p"))
        .isEqualTo(yaml("kind: ConfigMap\ndata: {a: b, missing: v}\n"));
  }
}
