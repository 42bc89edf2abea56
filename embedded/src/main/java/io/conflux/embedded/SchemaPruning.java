package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Structural pruning of a custom resource, as kube-apiserver does before defaulting and validation
 * (apiextensions-apiserver {@code structural/pruning}): fields an object schema does not declare are dropped unless
 * the schema (or an enclosing one) has {@code x-kubernetes-preserve-unknown-fields: true}; {@code additionalProperties}
 * keeps every key (a schema there prunes the values); {@code x-kubernetes-embedded-resource} objects keep
 * {@code apiVersion}, {@code kind} and {@code metadata}; a {@code null} value of a field that is not
 * {@code nullable: true} is dropped, as Kubernetes does since 1.20 so that a default can apply. At the root,
 * {@code apiVersion}, {@code kind} and {@code metadata} are the API server's and never pruned.
 */
final class SchemaPruning {

    private static final Set<String> TYPE_META = Set.of("apiVersion", "kind", "metadata");

    private SchemaPruning() {
    }

    /**
     * Prunes {@code object} in place against the version's {@code openAPIV3Schema}.
     *
     * @return the field paths dropped, for logging (e.g. {@code spec.unknown})
     */
    static List<String> prune(ObjectNode object, JsonNode schema) {
        List<String> dropped = new ArrayList<>();
        pruneObject(object, schema, SchemaPath.ROOT, true, dropped);
        return dropped;
    }

    private static void prune(JsonNode value, JsonNode schema, SchemaPath path, List<String> dropped) {
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (value instanceof ObjectNode object) {
            pruneObject(object, schema, path, false, dropped);
        } else if (value instanceof ArrayNode array) {
            JsonNode items = schema.get("items");
            for (int i = 0; i < array.size(); i++) {
                prune(array.get(i), items, path.index(i), dropped);
            }
        }
    }

    private static void pruneObject(ObjectNode object, JsonNode schema, SchemaPath path, boolean root,
                                    List<String> dropped) {
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        boolean embedded = schema.path("x-kubernetes-embedded-resource").asBoolean(false);
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        for (String name : new ArrayList<>(iterable(object))) {
            JsonNode value = object.get(name);
            if (root && TYPE_META.contains(name) || embedded && TYPE_META.contains(name) && !properties.has(name)) {
                continue;
            }
            JsonNode propertySchema = properties.get(name);
            if (propertySchema != null) {
                if (value.isNull() && !propertySchema.path("nullable").asBoolean(false)) {
                    object.remove(name);
                    continue;
                }
                prune(value, propertySchema, path.property(name), dropped);
            } else if (additional != null && additional.isObject()) {
                if (value.isNull() && !additional.path("nullable").asBoolean(false)) {
                    object.remove(name);
                    continue;
                }
                prune(value, additional, path.key(name), dropped);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                object.remove(name);
                dropped.add(path.property(name).field());
            }
        }
    }

    static List<String> iterable(ObjectNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
