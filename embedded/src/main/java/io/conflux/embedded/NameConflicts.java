package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The names check of kube-apiserver's naming controller ({@code apiextensions-apiserver/pkg/controller/status},
 * {@code calculateNamesAndConditions}): a CRD's resource names (plural, singular, short names) must not be among
 * the resource names, and its kinds (kind, list kind) not among the kinds, of the other CRDs of its group.
 */
final class NameConflicts {

    private NameConflicts() {
    }

    /**
     * @param name   the CRD's name ({@code <plural>.<group>}), excluded from {@code others}
     * @param spec   the CRD's {@code spec}
     * @param others the stored CRDs
     * @return the first conflict as {reason, message}, e.g. {@code {"SingularConflict", "\"gadget\" is already in use"}},
     *         or empty when all names are free
     */
    static Optional<String[]> find(String name, JsonNode spec, List<CrdRegistry.CustomType> others) {
        Set<String> resources = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        claimed(name, spec, others, resources, kinds);
        JsonNode names = spec.path("names");
        String plural = names.path("plural").asText();
        if (resources.contains(plural)) {
            return Optional.of(conflict("PluralConflict", plural));
        }
        String singular = names.path("singular").asText("");
        if (!singular.isEmpty() && resources.contains(singular)) {
            return Optional.of(conflict("SingularConflict", singular));
        }
        for (JsonNode s : names.path("shortNames")) {
            if (resources.contains(s.asText())) {
                return Optional.of(conflict("ShortNamesConflict", s.asText()));
            }
        }
        String kind = names.path("kind").asText();
        if (kinds.contains(kind)) {
            return Optional.of(conflict("KindConflict", kind));
        }
        String listKind = names.path("listKind").asText(kind + "List");
        if (kinds.contains(listKind)) {
            return Optional.of(conflict("ListKindConflict", listKind));
        }
        return Optional.empty();
    }

    /** @return {@code spec.names} without the names another CRD of the group holds (the CRD's {@code acceptedNames}) */
    static ObjectNode accepted(JsonNode spec, List<CrdRegistry.CustomType> others) {
        Set<String> resources = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        String group = spec.path("group").asText();
        String name = spec.path("names").path("plural").asText() + "." + group;
        claimed(name, spec, others, resources, kinds);
        ObjectNode accepted = spec.path("names").deepCopy();
        for (String field : List.of("plural", "singular")) {
            if (resources.contains(accepted.path(field).asText())) {
                accepted.remove(field);
            }
        }
        for (String field : List.of("kind", "listKind")) {
            if (kinds.contains(accepted.path(field).asText())) {
                accepted.remove(field);
            }
        }
        if (accepted.path("shortNames").isArray()) {
            List<String> free = new ArrayList<>();
            accepted.path("shortNames").forEach(s -> {
                if (!resources.contains(s.asText())) {
                    free.add(s.asText());
                }
            });
            ArrayNode shortNames = accepted.putArray("shortNames");
            free.forEach(shortNames::add);
        }
        return accepted;
    }

    private static void claimed(String name, JsonNode spec, List<CrdRegistry.CustomType> others, Set<String> resources,
                                Set<String> kinds) {
        String group = spec.path("group").asText();
        for (CrdRegistry.CustomType t : others) {
            if (!t.group().equals(group) || (t.plural() + "." + t.group()).equals(name)) {
                continue;
            }
            resources.add(t.plural());
            resources.add(t.singular());
            resources.addAll(t.shortNames());
            kinds.add(t.kind());
            kinds.add(t.kind() + "List");
        }
    }

    private static String[] conflict(String reason, String value) {
        return new String[] {reason, "\"" + value + "\" is already in use"};
    }
}
