package io.conflux.kustomize.internal.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.kustomize.yaml.KYaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Name hashes as kustomize v5.7 computes them (values checked against kubectl kustomize). */
class HasherTest {

  private static Map<String, Object> parse(String yaml) {
    return KYaml.parseAll(yaml, "test.yaml").get(0);
  }

  @Test
  void configMapHashIgnoresTheNameAndCoversData() {
    Map<String, Object> cm = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: test\ndata:\n  TEST: \"'\"\n");
    assertThat(Hasher.hash(cm)).isEqualTo("m8t7bmb6g2");
    Map<String, Object> renamed = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  TEST: \"'\"\n");
    assertThat(Hasher.hash(renamed)).isEqualTo("m8t7bmb6g2");
  }

  @Test
  void secretHashCoversType() {
    Map<String, Object> secret = parse("""
        apiVersion: v1
        kind: Secret
        metadata:
          name: prod-base-creds
        type: Opaque
        data:
          password: czNjcjN0
          username: YWRtaW4=
        """);
    assertThat(Hasher.hash(secret)).isEqualTo("b892bc2827");
    secret.put("type", "kubernetes.io/basic-auth");
    assertThat(Hasher.hash(secret)).isNotEqualTo("b892bc2827");
  }

  @Test
  void encodingMapsHexDigitsToConsonants() {
    assertThat(Hasher.encode("0123456789abcdef")).isEqualTo("gh2k456789");
    assertThat(Hasher.encode("aeaeaeaeaeff")).isEqualTo("mtmtmtmtmt");
  }

  @Test
  void jsonEncodingIsGoCompatible() {
    assertThat(Hasher.GoJson.encode(Map.of("b", "<&>", "a", 1L))).isEqualTo("{\"a\":1,\"b\":\"\\u003c\\u0026\\u003e\"}");
  }
}
