package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON helpers for the in-memory API server. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Json() {
    }

    /** Parses JSON, falling back to YAML (server-side apply bodies may be either). */
    static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException notJson) {
            try {
                return YAML.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("body is neither JSON nor YAML", e);
            }
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * RFC 7386 MergePatch(target, patch): when the patch is an object, each member is merged into the target
     * (recursively), a {@code null} member removes the target's; any other patch value replaces the target.
     *
     * @return the patched document (the target may be modified)
     */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!(patch instanceof ObjectNode patchObject)) {
            return patch;
        }
        ObjectNode result = target instanceof ObjectNode t ? t : MAPPER.createObjectNode();
        patchObject.properties().forEach(e -> {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        });
        return result;
    }

    /** @return {@code node.field} if it is an object, after creating it if absent or not an object */
    static ObjectNode object(ObjectNode node, String field) {
        if (node.get(field) instanceof ObjectNode existing) {
            return existing;
        }
        return node.putObject(field);
    }
}
