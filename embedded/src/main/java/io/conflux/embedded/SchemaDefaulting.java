package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Defaulting of a custom resource from the {@code default} values of its structural schema, as kube-apiserver does
 * on every write after pruning (apiextensions-apiserver {@code structural/defaulting}): a property absent from an
 * object that exists gets a copy of its schema's {@code default}; defaults apply inside defaulted values too; map
 * values ({@code additionalProperties}) and array items are defaulted with their schema. The root's
 * {@code apiVersion}/{@code kind}/{@code metadata} are left alone.
 */
final class SchemaDefaulting {

    private static final java.util.Set<String> TYPE_META = java.util.Set.of("apiVersion", "kind", "metadata");

    private SchemaDefaulting() {
    }

    /** Defaults {@code object} in place against the version's {@code openAPIV3Schema}. */
    static void apply(ObjectNode object, JsonNode schema) {
        apply(object, schema, true);
    }

    private static void apply(JsonNode value, JsonNode schema, boolean root) {
        if (value instanceof ObjectNode object) {
            JsonNode properties = schema.path("properties");
            properties.fieldNames().forEachRemaining(name -> {
                JsonNode s = properties.get(name);
                if (!object.has(name) && s.has("default") && !(root && TYPE_META.contains(name))) {
                    object.set(name, s.get("default").deepCopy());
                }
            });
            JsonNode additional = schema.get("additionalProperties");
            object.fieldNames().forEachRemaining(name -> {
                JsonNode s = properties.get(name);
                if (s == null && additional != null && additional.isObject()) {
                    s = additional;
                }
                if (s != null && !(root && TYPE_META.contains(name))) {
                    apply(object.get(name), s, false);
                }
            });
        } else if (value instanceof ArrayNode array && schema.get("items") != null) {
            array.forEach(item -> apply(item, schema.get("items"), false));
        }
    }
}
