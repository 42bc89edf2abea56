package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * {@link SchemaPruning}, {@link SchemaDefaulting} and {@link SchemaValidation} on a schema of their own, for the
 * structural-schema features Flux v2.7's CRDs do not use ({@code nullable}, {@code x-kubernetes-int-or-string},
 * {@code x-kubernetes-embedded-resource}, bounds) and the preserve-unknown-fields and map cases they do.
 */
class StructuralSchemaTest {

    static final JsonNode SCHEMA = CelRulesTest.json("""
        {"type": "object", "properties": {"spec": {"type": "object", "properties": {
          "port": {"x-kubernetes-int-or-string": true},
          "note": {"type": "string", "nullable": true},
          "gone": {"type": "string"},
          "replicas": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1},
          "name": {"type": "string", "minLength": 1, "maxLength": 5},
          "tags": {"type": "array", "maxItems": 2, "minItems": 1, "items": {"type": "string"}},
          "labels": {"type": "object", "additionalProperties": {"type": "string"}},
          "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
          "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {
            "spec": {"type": "object", "properties": {"image": {"type": "string", "default": "busybox"}}}}},
          "uid": {"type": "string", "format": "uuid"}}}}}
        """);

    static ObjectNode admitted(String json) {
        ObjectNode o = CelRulesTest.json(json);
        SchemaPruning.prune(o, SCHEMA);
        SchemaDefaulting.apply(o, SCHEMA);
        return o;
    }

    @Test
    void pruningKeepsWhatTheSchemaDeclaresOrPreservesAndDropsNonNullableNulls() {
        ObjectNode o = admitted("""
            {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a", "anything": 1},
             "spec": {"note": null, "gone": null, "unknown": 1, "labels": {"a": "b"},
                      "values": {"deep": {"free": [1, {"x": null}]}},
                      "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                   "spec": {"unknown": true}}},
             "extra": true}
            """);
        assertThat(o.has("extra")).isFalse();
        assertThat(o.path("metadata").path("anything").asInt()).isEqualTo(1);
        JsonNode spec = o.get("spec");
        assertThat(spec.has("unknown")).isFalse();
        assertThat(spec.get("note").isNull()).isTrue();
        assertThat(spec.has("gone")).isFalse();
        assertThat(spec.get("labels")).isEqualTo(CelRulesTest.json("{\"a\": \"b\"}"));
        assertThat(spec.get("values")).isEqualTo(CelRulesTest.json("{\"deep\": {\"free\": [1, {\"x\": null}]}}"));
        assertThat(spec.path("template").path("kind").asText()).isEqualTo("Pod");
        assertThat(spec.path("template").path("metadata").path("name").asText()).isEqualTo("p");
        assertThat(spec.path("template").path("spec").has("unknown")).isFalse();
        // defaults, also inside the embedded resource
        assertThat(spec.path("replicas").asInt()).isEqualTo(1);
        assertThat(spec.path("template").path("spec").path("image").asText()).isEqualTo("busybox");
    }

    @Test
    void validationReportsEachViolationWithItsPathAndReason() {
        ObjectNode o = admitted("""
            {"spec": {"port": 1.5, "replicas": 9, "name": "too-long", "tags": ["a", "b", "c"],
                      "labels": {"k": 1}, "template": {"metadata": {}}, "uid": "nope"}}
            """);
        assertThat(SchemaValidation.validate(o, SCHEMA)).extracting(FieldError::field, FieldError::reason)
            .containsExactlyInAnyOrder(
                tuple("spec.port", "FieldValueTypeInvalid"),
                tuple("spec.replicas", "FieldValueInvalid"),
                tuple("spec.name", "FieldValueTooLong"),
                tuple("spec.tags", "FieldValueTooMany"),
                tuple("spec.labels[k]", "FieldValueTypeInvalid"),
                tuple("spec.template.apiVersion", "FieldValueRequired"),
                tuple("spec.template.kind", "FieldValueRequired"),
                tuple("spec.uid", "FieldValueInvalid"));
        assertThat(SchemaValidation.validate(admitted("{\"spec\": {\"replicas\": 0, \"name\": \"\", \"tags\": []}}"), SCHEMA))
            .extracting(FieldError::text).containsExactlyInAnyOrder(
                "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
                "spec.name: Invalid value: \"\": spec.name in body should be at least 1 chars long",
                "spec.tags: Invalid value: []interface {}{...}: spec.tags in body should have at least 1 items");
        assertThat(SchemaValidation.validate(admitted("""
            {"spec": {"port": "http", "note": null, "uid": "0b9c4a9e-5c0b-4d5e-9f4e-3f2a1b0c9d8e"}}
            """), SCHEMA)).isEmpty();
        assertThat(SchemaValidation.validate(admitted("{\"spec\": {\"port\": 8080}}"), SCHEMA)).isEmpty();
    }
}
