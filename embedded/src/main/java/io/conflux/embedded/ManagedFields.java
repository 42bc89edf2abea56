package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Field ownership ({@code metadata.managedFields}) as the API server keeps it for server-side apply, simplified for
 * the in-memory server: a field is a path of map keys down to a leaf, and lists are atomic leaves (the real server
 * also merges associative lists by key). Entries are stored in the real format ({@code manager}, {@code operation}
 * {@code Apply}/{@code Update}, {@code apiVersion}, {@code time}, {@code fieldsType: FieldsV1},
 * {@code fieldsV1: {"f:data": {"f:key": {}}}}), so clients that read or rewrite managed fields — kubectl, Flux's
 * ssa cleanup — see what a real cluster shows them.
 *
 * <ul>
 *   <li>apply: the manager's applied fields are set (conflicts are forced: others lose the fields whose value
 *       changed), fields it applied before and no longer applies are removed unless another manager owns them;</li>
 *   <li>update (create, update, patch): the writer takes the fields whose value it changed ({@code Update} entry),
 *       removed fields leave every entry;</li>
 *   <li>an update that changes {@code metadata.managedFields} itself stores them as sent, and a single empty entry
 *       clears them, as the real server does.</li>
 * </ul>
 * Only {@code metadata.labels}, {@code metadata.annotations} and the top-level fields other than {@code apiVersion},
 * {@code kind}, {@code metadata} and {@code status} are tracked.
 */
final class ManagedFields {
    static final String APPLY = "Apply";
    static final String UPDATE = "Update";

    private ManagedFields() {
    }

    /** One {@code managedFields} entry. */
    record Entry(String manager, String operation, String apiVersion, String time, String subresource,
                 Set<List<String>> fields) {
        boolean is(String m, String op) {
            return manager.equals(m) && operation.equals(op) && subresource == null;
        }
    }

    /**
     * @param existing the stored object, or null when the apply creates it
     * @param applied  the applied configuration (not modified)
     * @param manager  the field manager
     * @return the object to store, with {@code metadata.managedFields} updated
     */
    static ObjectNode apply(ObjectNode existing, ObjectNode applied, String manager) {
        List<Entry> entries = existing == null ? new ArrayList<>() : read(existing);
        Set<List<String>> appliedPaths = paths(applied);
        Set<List<String>> previous = new LinkedHashSet<>();
        Set<List<String>> others = new LinkedHashSet<>();
        for (Entry e : entries) {
            (e.is(manager, APPLY) ? previous : others).addAll(e.fields());
        }
        ObjectNode result = existing == null ? Json.MAPPER.createObjectNode() : existing.deepCopy();
        for (List<String> p : previous) {
            if (!appliedPaths.contains(p) && !others.contains(p)) {
                remove(result, p);
            }
        }
        for (List<String> p : appliedPaths) {
            set(result, p, get(applied, p));
        }
        result.set("apiVersion", applied.get("apiVersion"));
        result.set("kind", applied.get("kind"));
        ObjectNode meta = Json.object(result, "metadata");
        for (String f : new String[] {"name", "namespace"}) {
            if (applied.path("metadata").hasNonNull(f)) {
                meta.set(f, applied.path("metadata").get(f));
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.is(manager, APPLY)) {
                continue;
            }
            Set<List<String>> kept = new LinkedHashSet<>(e.fields());
            kept.removeIf(p -> appliedPaths.stream().anyMatch(a -> overlaps(a, p)
                    && !Objects.equals(get(existing, p), get(applied, p))));
            out.add(new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), e.subresource(), kept));
        }
        out.add(new Entry(manager, APPLY, text(applied, "apiVersion"), now(), null, appliedPaths));
        write(result, out);
        return result;
    }

    /**
     * Records a non-apply write.
     *
     * @param before  the stored object, or null on create
     * @param after   the object about to be stored; its {@code metadata.managedFields} are set
     * @param manager the writer's field manager
     */
    static void update(ObjectNode before, ObjectNode after, String manager) {
        JsonNode sent = after.path("metadata").get("managedFields");
        JsonNode stored = before == null ? null : before.path("metadata").get("managedFields");
        if (sent instanceof ArrayNode list && !list.isEmpty() && !list.equals(stored)) {
            boolean reset = list.size() == 1 && !list.get(0).has("manager");
            if (reset) {
                Json.object(after, "metadata").remove("managedFields");
            }
            return;
        }
        List<Entry> entries = before == null ? new ArrayList<>() : read(before);
        Set<List<String>> beforePaths = before == null ? Set.of() : paths(before);
        Set<List<String>> afterPaths = paths(after);
        Set<List<String>> changed = new LinkedHashSet<>();
        for (List<String> p : afterPaths) {
            if (before == null || !Objects.equals(get(before, p), get(after, p))) {
                changed.add(p);
            }
        }
        Set<List<String>> removed = new LinkedHashSet<>(beforePaths);
        removed.removeAll(afterPaths);
        List<Entry> out = new ArrayList<>();
        Set<List<String>> mine = new LinkedHashSet<>();
        for (Entry e : entries) {
            Set<List<String>> kept = new LinkedHashSet<>(e.fields());
            kept.removeIf(p -> removed.stream().anyMatch(r -> overlaps(r, p)));
            if (e.is(manager, UPDATE)) {
                mine.addAll(kept);
                continue;
            }
            kept.removeIf(p -> changed.stream().anyMatch(c -> overlaps(c, p)));
            out.add(new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), e.subresource(), kept));
        }
        mine.addAll(changed);
        if (!mine.isEmpty()) {
            out.add(new Entry(manager, UPDATE, text(after, "apiVersion"), now(), null, mine));
        }
        write(after, out);
    }

    /** @return the tracked leaf paths of {@code object} */
    static Set<List<String>> paths(JsonNode object) {
        Set<List<String>> out = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> f : object.properties()) {
            switch (f.getKey()) {
                case "apiVersion", "kind", "status" -> { }
                case "metadata" -> {
                    for (String m : new String[] {"labels", "annotations"}) {
                        if (f.getValue().get(m) instanceof ObjectNode map) {
                            map.fieldNames().forEachRemaining(k -> out.add(List.of("metadata", m, k)));
                        }
                    }
                }
                default -> collect(List.of(f.getKey()), f.getValue(), out);
            }
        }
        return out;
    }

    private static void collect(List<String> prefix, JsonNode value, Set<List<String>> out) {
        if (value instanceof ObjectNode o && !o.isEmpty()) {
            o.properties().forEach(f -> {
                List<String> p = new ArrayList<>(prefix);
                p.add(f.getKey());
                collect(List.copyOf(p), f.getValue(), out);
            });
        } else {
            out.add(prefix);
        }
    }

    static List<Entry> read(JsonNode object) {
        List<Entry> out = new ArrayList<>();
        for (JsonNode e : object.path("metadata").path("managedFields")) {
            if (!e.hasNonNull("manager")) {
                continue;
            }
            Set<List<String>> fields = new LinkedHashSet<>();
            fromFieldsV1(List.of(), e.path("fieldsV1"), fields);
            out.add(new Entry(e.get("manager").asText(), e.path("operation").asText(UPDATE),
                    e.path("apiVersion").asText(null), e.path("time").asText(null),
                    e.hasNonNull("subresource") ? e.get("subresource").asText() : null, fields));
        }
        return out;
    }

    private static void fromFieldsV1(List<String> prefix, JsonNode node, Set<List<String>> out) {
        boolean descended = false;
        for (Map.Entry<String, JsonNode> f : node.properties()) {
            if (f.getKey().startsWith("f:")) {
                List<String> p = new ArrayList<>(prefix);
                p.add(f.getKey().substring(2));
                fromFieldsV1(List.copyOf(p), f.getValue(), out);
                descended = true;
            }
        }
        if (!descended && !prefix.isEmpty()) {
            out.add(prefix);
        }
    }

    private static void write(ObjectNode object, List<Entry> entries) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (Entry e : entries) {
            if (e.fields().isEmpty()) {
                continue;
            }
            ObjectNode fieldsV1 = Json.MAPPER.createObjectNode();
            for (List<String> p : e.fields()) {
                ObjectNode at = fieldsV1;
                for (String key : p) {
                    at = Json.object(at, "f:" + key);
                }
            }
            ObjectNode node = list.addObject().put("manager", e.manager()).put("operation", e.operation());
            if (e.apiVersion() != null) {
                node.put("apiVersion", e.apiVersion());
            }
            if (e.time() != null) {
                node.put("time", e.time());
            }
            node.put("fieldsType", "FieldsV1").set("fieldsV1", fieldsV1);
            if (e.subresource() != null) {
                node.put("subresource", e.subresource());
            }
        }
        ObjectNode meta = Json.object(object, "metadata");
        if (list.isEmpty()) {
            meta.remove("managedFields");
        } else {
            meta.set("managedFields", list);
        }
    }

    private static boolean overlaps(List<String> a, List<String> b) {
        int n = Math.min(a.size(), b.size());
        return a.subList(0, n).equals(b.subList(0, n));
    }

    static JsonNode get(JsonNode object, List<String> path) {
        JsonNode at = object;
        for (String key : path) {
            if (at == null) {
                return null;
            }
            at = at.get(key);
        }
        return at;
    }

    private static void set(ObjectNode object, List<String> path, JsonNode value) {
        ObjectNode at = object;
        for (String key : path.subList(0, path.size() - 1)) {
            at = Json.object(at, key);
        }
        at.set(path.get(path.size() - 1), value == null ? null : value.deepCopy());
    }

    /** Removes the leaf at {@code path} and the maps left empty above it. */
    private static void remove(ObjectNode object, List<String> path) {
        List<ObjectNode> chain = new ArrayList<>();
        ObjectNode at = object;
        for (String key : path.subList(0, path.size() - 1)) {
            chain.add(at);
            if (!(at.get(key) instanceof ObjectNode next)) {
                return;
            }
            at = next;
        }
        at.remove(path.get(path.size() - 1));
        for (int i = chain.size() - 1; i >= 1 && at.isEmpty(); i--) {
            chain.get(i).remove(path.get(i));
            at = chain.get(i);
        }
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
