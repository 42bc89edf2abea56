package io.conflux.kustomize.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KYamlTest {

  @Test
  void parsesMultiDocumentStreamsSkippingEmptyOnes() {
    List<Map<String, Object>> docs = KYaml.parseAll("""
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
        data:
          n: 1
          f: 1.5
          b: true
          s: "1"
        ---
        ---
        # only a comment
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: b
        """, "x.yaml");
    assertThat(docs).hasSize(2);
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) docs.get(0).get("data");
    assertThat(data).containsEntry("n", 1L).containsEntry("f", 1.5).containsEntry("b", true).containsEntry("s", "1");
  }

  @Test
  void expandsListKindsButKeepsKindsEndingInListWithoutItems() {
    List<Map<String, Object>> docs = KYaml.parseAll("""
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: a
        ---
        apiVersion: example.com/v1
        kind: AccessWhiteList
        metadata:
          name: keep
        """, "x.yaml");
    assertThat(docs).extracting(d -> d.get("kind")).containsExactly("AccessWhiteList", "ConfigMap");
  }

  @Test
  void marksNullsWrittenWithNoValueApartFromExplicitOnes() {
    Map<String, Object> doc = KYaml.parseAll("""
        kind: ConfigMap
        data:
          empty:
          explicit: null
          tilde: ~
          quoted: ""
        items:
        - nested:
            empty:
        """, "t.yaml").get(0);
    Map<?, ?> data = (Map<?, ?>) doc.get("data");
    assertThat(data.get("empty")).isNull();
    assertThat(YamlMap.isEmptyNull(data, "empty")).isTrue();
    assertThat(YamlMap.isEmptyNull(data, "explicit")).isFalse();
    assertThat(YamlMap.isEmptyNull(data, "tilde")).isFalse();
    assertThat(YamlMap.isEmptyNull(data, "quoted")).isFalse();
    assertThat(YamlMap.isEmptyNull(data, "absent")).isFalse();
    Map<?, ?> nested = (Map<?, ?>) ((Map<?, ?>) ((List<?>) doc.get("items")).get(0)).get("nested");
    assertThat(YamlMap.isEmptyNull(nested, "empty")).isTrue();
    // a copy keeps the marks; a value put there is no longer an empty null
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) JsonTrees.deepCopy(data);
    assertThat(YamlMap.isEmptyNull(copy, "empty")).isTrue();
    assertThat(copy).isEqualTo(data);
    copy.put("empty", null);
    assertThat(YamlMap.isEmptyNull(copy, "empty")).isFalse();
  }

  @Test
  void syntaxErrorsNameFileLineAndColumn() {
    assertThatThrownBy(() -> KYaml.parseAll("a: 1\nb:\n  c: d\n  e: f: g\n", "base/web-server.yaml"))
        .isInstanceOf(KustomizeException.class)
        .hasMessage("base/web-server.yaml:4:7: mapping values are not allowed here")
        .satisfies(e -> assertThat(((KustomizeException) e).line()).hasValue(4));
  }

  @Test
  void nonMappingDocumentsAreRejected() {
    assertThatThrownBy(() -> KYaml.parseAll("- a\n- b\n", "list.yaml"))
        .isInstanceOf(KustomizeException.class).hasMessageStartingWith("list.yaml:");
  }

  @Test
  void dumpsLikeKustomize() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", "web");
    meta.put("labels", Map.of("on", "yes"));
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("kind", "ConfigMap");
    obj.put("apiVersion", "v1");
    obj.put("metadata", meta);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("port", "8080");
    data.put("empty", "");
    data.put("multi", "line one\nline two\n");
    data.put("bang", "!not a tag");
    data.put("list", List.of("a", Map.of("k", "v"), List.of()));
    data.put("nothing", null);
    data.put("count", 3L);
    obj.put("data", data);
    assertThat(KYaml.dumpAll(List.of(obj, Map.of("kind", "X")))).isEqualTo("""
        apiVersion: v1
        data:
          bang: '!not a tag'
          count: 3
          empty: ""
          list:
          - a
          - k: v
          - []
          multi: |
            line one
            line two
          nothing: null
          port: "8080"
        kind: ConfigMap
        metadata:
          labels:
            "on": "yes"
          name: web
        ---
        kind: X
        """);
  }

  @Test
  void keysSortLikeGoYamlAndLiteralsKeepLeadingBreaks() {
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("ANOTHER", "b");
    obj.put("A_FIRST", "a");
    obj.put("item10", "x");
    obj.put("item9", "y");
    obj.put("text", "\nfirst\nsecond\n");
    assertThat(KYaml.dumpAll(List.of(obj))).isEqualTo("""
        A_FIRST: a
        ANOTHER: b
        item9: "y"
        item10: x
        text: |2

          first
          second
        """);
  }

  @Test
  void longStringsFoldAtEightyColumnsLikeKubectl() {
    String words = "plain words that are long enough to need folding because they go beyond eighty columns";
    String yaml = KYaml.dumpAll(List.of(Map.of("k", words)));
    assertThat(yaml).isEqualTo("k: plain words that are long enough to need folding because they go beyond eighty\n"
        + "  columns\n");
    assertThat(KYaml.parseAll(yaml, "x").get(0)).containsEntry("k", words);
  }

  @Test
  void dumpedYamlReadsBackTheSame() {
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("a", "true");
    obj.put("b", "0x1F");
    obj.put("c", "key: value");
    obj.put("d", " padded ");
    obj.put("e", "tab\there");
    obj.put("f", "trailing newlines\n\n");
    obj.put("g", "- dash");
    obj.put("h", "# hash");
    obj.put("i", "1e3");
    obj.put("j", "~");
    obj.put("k", "2024-01-02");
    obj.put("l", "quote ' and \" both");
    obj.put("m", "unicode ✓ text");
    String yaml = KYaml.dumpAll(List.of(obj));
    assertThat(KYaml.parseAll(yaml, "round-trip").get(0)).isEqualTo(obj);
  }
}
