package io.conflux.model.fields;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What Conflux acts on, per Flux kind and field — one table ({@code flux-fields.tsv} beside this class) — and the
 * detector of the fields an object carries that Conflux does not act on: fields the table marks {@code no}, and fields
 * it does not know (a typo, or a field of a newer Flux release), which Conflux's Jackson models would otherwise drop in
 * silence. Pure: no I/O beyond reading the table from the class path.
 *
 * <p>Only {@code spec} is examined. A field's subfields are examined only when the table has rows beneath it; a field
 * without such rows is covered as a whole by its own row (free-form trees such as {@code spec.values}). A kind whose
 * {@code spec} row is {@code no} reports {@code spec} once.
 */
public final class FieldSupport {
    private static final String TABLE = "flux-fields.tsv";
    private static volatile FieldSupport flux;

    private final List<FieldRule> rules;
    private final Map<String, Map<String, FieldRule>> byKind = new LinkedHashMap<>();

    /** @param rules the table's rows, in order */
    public FieldSupport(List<FieldRule> rules) {
        this.rules = List.copyOf(rules);
        for (FieldRule rule : rules) {
            byKind.computeIfAbsent(rule.kind(), k -> new LinkedHashMap<>()).put(rule.path(), rule);
        }
    }

    /** @return Conflux's table, read once from the class path */
    public static FieldSupport flux() {
        FieldSupport table = flux;
        if (table == null) {
            try (InputStream in = Objects.requireNonNull(FieldSupport.class.getResourceAsStream(TABLE), TABLE)) {
                table = new FieldSupport(parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            flux = table;
        }
        return table;
    }

    /**
     * The fields of {@code object} that Conflux does not act on, by Conflux's table ({@link #flux()}); what
     * {@code conflux check} lists and the notifier reports as {@code UnsupportedField} events.
     *
     * @param kind       Flux kind, e.g. {@code Kustomization}
     * @param apiVersion the object's apiVersion (any served version; the table covers the fields of every version)
     * @param object     the whole object as a JSON tree of maps and lists
     * @return the fields in document order; empty for a kind the table does not list
     */
    public static List<UnsupportedField> unsupported(String kind, String apiVersion, Map<String, Object> object) {
        return flux().find(kind, apiVersion, object);
    }

    /**
     * @param kind       Flux kind
     * @param apiVersion the object's apiVersion (not used to select rows: one table covers every version)
     * @param object     the whole object as maps and lists
     * @return the fields present that this table marks {@code no} or does not know, in document order
     */
    public List<UnsupportedField> find(String kind, String apiVersion, Map<String, Object> object) {
        Map<String, FieldRule> table = byKind.get(kind);
        if (table == null || object == null || !(object.get("spec") instanceof Map<?, ?> spec)) {
            return List.of();
        }
        List<UnsupportedField> found = new ArrayList<>();
        FieldRule whole = table.get("spec");
        if (whole != null && whole.support() == Support.NO) {
            found.add(new UnsupportedField(kind, "spec", true, whole.note()));
            return found;
        }
        walk(kind, table, "spec", spec, found);
        return found;
    }

    private void walk(String kind, Map<String, FieldRule> table, String prefix, Map<?, ?> node, List<UnsupportedField> found) {
        for (Map.Entry<?, ?> e : node.entrySet()) {
            String path = prefix + "." + e.getKey();
            FieldRule rule = table.get(path);
            if (rule == null) {
                found.add(new UnsupportedField(kind, path, false, "not a " + kind + " field Conflux knows: a typo, or a "
                        + "field of a newer Flux release"));
                continue;
            }
            if (rule.support() == Support.NO) {
                found.add(new UnsupportedField(kind, path, true, rule.note().isEmpty() ? "not acted on" : rule.note()));
                continue;
            }
            if (!hasChildren(table, path)) {
                continue;
            }
            if (e.getValue() instanceof Map<?, ?> child) {
                walk(kind, table, path, child, found);
            } else if (e.getValue() instanceof List<?> list) {
                Set<String> seen = new LinkedHashSet<>();
                for (Object element : list) {
                    if (element instanceof Map<?, ?> child) {
                        List<UnsupportedField> inElement = new ArrayList<>();
                        walk(kind, table, path + "[]", child, inElement);
                        inElement.stream().filter(f -> seen.add(f.path())).forEach(found::add);
                    }
                }
            }
        }
    }

    private static boolean hasChildren(Map<String, FieldRule> table, String path) {
        for (String other : table.keySet()) {
            if (other.startsWith(path + ".") || other.startsWith(path + "[].")) {
                return true;
            }
        }
        return false;
    }

    /** @return every row, in the table's order */
    public List<FieldRule> rules() {
        return rules;
    }

    /** @return the kinds the table covers, in the table's order */
    public Set<String> kinds() {
        return Collections.unmodifiableSet(byKind.keySet());
    }

    /** @return the rule of {@code kind}'s {@code path}, or null */
    public FieldRule rule(String kind, String path) {
        Map<String, FieldRule> table = byKind.get(kind);
        return table == null ? null : table.get(path);
    }

    /**
     * @param fields what {@link #find} returned for one object (not empty)
     * @return the message of the {@code UnsupportedField} Warning event: each field path with its reason
     */
    public static String message(List<UnsupportedField> fields) {
        return "Conflux does not act on " + fields.stream().map(UnsupportedField::describe)
                .collect(Collectors.joining("; "));
    }

    /** Reads the table: tab-separated kind, path, support, note; {@code #} comments and blank lines skipped. */
    static List<FieldRule> parse(InputStream in) throws IOException {
        List<FieldRule> rules = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        int number = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (cells.length < 3) {
                throw new IllegalArgumentException(TABLE + " line " + number + ": expected kind, path, support[, note]");
            }
            rules.add(new FieldRule(cells[0].trim(), cells[1].trim(), Support.of(cells[2]),
                    cells.length > 3 ? cells[3].trim() : ""));
        }
        return rules;
    }
}
