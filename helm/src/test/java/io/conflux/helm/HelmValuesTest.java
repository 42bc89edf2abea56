package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.helm.HelmValues.ValuesReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HelmValuesTest {

  @Test
  void valuesFromMergeInOrderThenInlineValuesOnTop() {
    Map<String, Object> merged = HelmValues.merge(List.of(
            ValuesReference.document("""
                replicaCount: 1
                image: {repository: a, tag: "1.0"}
                list: [1, 2, 3]
                keep: me
                """),
            ValuesReference.document("""
                replicaCount: 2
                image: {tag: "2.0"}
                list: [9]
                """)),
        Map.of("replicaCount", 3, "image", Map.of("pullPolicy", "Always")));

    assertThat(merged).containsEntry("replicaCount", 3).containsEntry("keep", "me");
    assertThat(merged.get("image")).isEqualTo(Map.of("repository", "a", "tag", "2.0", "pullPolicy", "Always"));
    // lists are replaced, not merged
    assertThat(merged.get("list")).isEqualTo(List.of(9));
  }

  @Test
  void laterScalarReplacesMapAndNullIsKept() {
    Map<String, Object> inline = new HashMap<>();
    inline.put("a", null);
    inline.put("b", "flat");
    Map<String, Object> merged = HelmValues.merge(
        List.of(ValuesReference.document("a: {x: 1}\nb: {y: 2}\nc: 3\n")), inline);
    assertThat(merged).containsEntry("a", null).containsEntry("b", "flat").containsEntry("c", 3);
  }

  @Test
  void targetPathSetsOneTypedValueAfterEarlierDocuments() {
    Map<String, Object> merged = HelmValues.merge(List.of(
        ValuesReference.document("ingress: {enabled: false, hosts: [{host: a}]}\n"),
        ValuesReference.atPath("ingress.enabled", "true"),
        ValuesReference.atPath("ingress.hosts[0].host", "podinfo.example.com"),
        ValuesReference.atPath("replicaCount", "3"),
        ValuesReference.atPath("zip", "0123"),
        ValuesReference.atPath("nothing", "null"),
        ValuesReference.atPath("big", "12345678901"),
        ValuesReference.atPath("ratio", "1.5")), null);

    assertThat(merged.get("ingress")).isEqualTo(Map.of("enabled", true, "hosts", List.of(Map.of("host",
        "podinfo.example.com"))));
    assertThat(merged).containsEntry("replicaCount", 3L)
        .containsEntry("zip", "0123")
        .containsEntry("nothing", null)
        .containsEntry("big", 12345678901L)
        .containsEntry("ratio", "1.5");
  }

  @Test
  void quotedValuesStayStringsAndQuotesAreTrimmed() {
    Map<String, Object> merged = HelmValues.merge(List.of(
        ValuesReference.atPath("a", "\"true\""),
        ValuesReference.atPath("b", "'42'")), null);
    assertThat(merged).containsEntry("a", "true").containsEntry("b", "42");
  }

  @Test
  void targetPathFollowsHelmSetEscapingAndSyntax() {
    Map<String, Object> values = new LinkedHashMap<>();
    HelmValues.setPath(values, "podAnnotations.prometheus\\.io/scrape", "true");
    HelmValues.setPath(values, "args", "{--a,--b}");
    HelmValues.setPath(values, "matrix[1][0]", "x");
    HelmValues.setPath(values, "url", "https://example.com/a\\,b");
    HelmValues.setPath(values, "list[2].name", "c");

    assertThat(values.get("podAnnotations")).isEqualTo(Map.of("prometheus.io/scrape", true));
    assertThat(values.get("args")).isEqualTo(List.of("--a", "--b"));
    assertThat(values.get("matrix")).isEqualTo(Arrays.asList(null, List.of("x")));
    assertThat(values.get("url")).isEqualTo("https://example.com/a,b");
    assertThat(values.get("list")).isEqualTo(Arrays.asList(null, null, Map.of("name", "c")));
  }

  @Test
  void unescapedCommaInAValueStartsAnotherAssignmentAsWithHelmSet() {
    Map<String, Object> values = new LinkedHashMap<>();
    HelmValues.setPath(values, "a", "1,b=two");
    assertThat(values).containsEntry("a", 1L).containsEntry("b", "two");

    assertThatThrownBy(() -> HelmValues.setPath(new LinkedHashMap<>(), "a", "x,y"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("path 'a'")
        .hasMessageContaining("an unescaped comma")
        .message().doesNotContain("\"y\"");
  }

  @Test
  void targetPathThroughAScalarIsAnError() {
    assertThatThrownBy(() -> HelmValues.merge(List.of(
        ValuesReference.document("image: nginx\n"),
        ValuesReference.atPath("image.tag", "1.0")), null))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("valuesFrom[1]")
        .hasMessageContaining("image.tag");
  }

  @Test
  void inputsAreNotModified() {
    Map<String, Object> nested = new LinkedHashMap<>(Map.of("x", 1));
    Map<String, Object> first = new LinkedHashMap<>(Map.of("a", nested));
    List<Object> list = new ArrayList<>(List.of(1));
    Map<String, Object> inline = new LinkedHashMap<>(Map.of("a", Map.of("y", 2), "l", list));

    Map<String, Object> merged = HelmValues.merge(List.of(ValuesReference.values(first),
        ValuesReference.atPath("a.z", "3")), inline);

    assertThat(merged.get("a")).isEqualTo(Map.of("x", 1, "y", 2, "z", 3L));
    assertThat(nested).isEqualTo(Map.of("x", 1));
    assertThat(first).isEqualTo(Map.of("a", Map.of("x", 1)));
  }

  @Test
  void documentThatIsNotAMapIsAnErrorAndEmptyDocumentIsNoValues() {
    assertThatThrownBy(() -> HelmValues.merge(List.of(ValuesReference.document("- a\n- b\n")), null))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("valuesFrom[0]")
        .hasMessageContaining("not a YAML map");
    assertThat(HelmValues.merge(List.of(ValuesReference.document(""), ValuesReference.document("# nothing\n")),
        Map.of("a", 1))).isEqualTo(Map.of("a", 1));
  }

  @Test
  void referencesFollowFluxDefaultsAndOptional() {
    Map<String, String> data = Map.of("values.yaml", "replicaCount: 2\n", "host", "podinfo.example.com");
    assertThat(HelmValues.reference("ConfigMap", "apps", "values", data, null, null, false))
        .hasValue(ValuesReference.values(Map.of("replicaCount", 2)));
    assertThat(HelmValues.reference("Secret", "apps", "values", data, "host", "ingress.hosts[0].host", false))
        .hasValue(ValuesReference.atPath("ingress.hosts[0].host", "podinfo.example.com"));
    assertThat(HelmValues.reference("Secret", "apps", "gone", null, null, null, true)).isEmpty();
    assertThat(HelmValues.reference("ConfigMap", "apps", "values", data, "other.yaml", null, true)).isEmpty();

    assertThatThrownBy(() -> HelmValues.reference("Secret", "apps", "gone", null, null, null, false))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("Secret 'apps/gone'");
    assertThatThrownBy(() -> HelmValues.reference("ConfigMap", "apps", "values", data, "other.yaml", null, false))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("missing key 'other.yaml' in ConfigMap 'apps/values'");
    assertThatThrownBy(() -> HelmValues.reference("ConfigMap", "apps", "values", Map.of("values.yaml", "[1]"), null,
        null, false))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("ConfigMap 'apps/values' key 'values.yaml'");
    assertThatThrownBy(() -> HelmValues.reference("Bucket", "apps", "values", data, null, null, true))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("unsupported valuesFrom kind 'Bucket'");
  }

  @Test
  void releaseNameFollowsFlux() {
    assertThat(ReleaseNames.of("podinfo", null, null)).isEqualTo("podinfo");
    assertThat(ReleaseNames.of("podinfo", "apps", "")).isEqualTo("apps-podinfo");
    assertThat(ReleaseNames.of("podinfo", "apps", "custom")).isEqualTo("custom");
    String longName = ReleaseNames.of("a-very-long-helm-release-name-that-goes-on", "and-a-long-target-namespace",
        null);
    assertThat(longName).hasSize(53).startsWith("and-a-long-target-namespace-a-very-long--")
        .matches(".{40}-[0-9a-f]{12}");
  }
}
