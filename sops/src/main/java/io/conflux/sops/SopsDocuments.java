package io.conflux.sops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.kustomize.yaml.YamlBoundException;
import io.conflux.kustomize.yaml.YamlBounds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads encrypted documents into a tree and writes decrypted trees, per format, as SOPS's stores do: YAML
 * (snakeyaml-engine, core schema, within {@link YamlBounds#MANIFESTS}; comments are not kept), JSON (an object, written with tab indentation and Go's
 * escaping), dotenv ({@code KEY=value} lines, {@code \n} escapes, {@code #} comments kept in place, metadata in
 * flattened {@code sops_*} entries) and binary (the {@code data} value of a JSON envelope, written as raw bytes).
 */
final class SopsDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOTENV_PREFIX = "sops_";
    private static final Pattern FLAT_SEPARATOR = Pattern.compile("__(map|list)_");

    private SopsDocuments() {
    }

    /**
     * A loaded document.
     *
     * @param branches the documents without {@code sops}
     * @param sops     the metadata block as parsed
     * @param dotenv   for dotenv input, its lines in order (comments and entries), else null
     */
    record Loaded(List<Map<String, Object>> branches, Map<?, ?> sops, List<DotenvLine> dotenv) {
    }

    /** One dotenv line: a comment ({@code key} null) or an entry. */
    record DotenvLine(String key, String value) {
    }

    /**
     * @throws SopsException when the content does not parse in {@code format} or has no {@code sops} metadata
     */
    static Loaded load(byte[] content, SopsFormat format) throws SopsException {
        return switch (format) {
            case YAML -> loadYaml(new String(content, StandardCharsets.UTF_8));
            case JSON, BINARY -> loadJson(content);
            case DOTENV -> loadDotenv(new String(content, StandardCharsets.UTF_8));
            case INI -> throw new SopsException("SOPS INI files are not supported");
        };
    }

    /** Writes decrypted {@code branches} in {@code format} ({@code dotenv} lines are used for dotenv output). */
    static byte[] emit(List<Map<String, Object>> branches, List<DotenvLine> dotenv, SopsFormat format)
            throws SopsException {
        return switch (format) {
            case YAML -> emitYaml(branches).getBytes(StandardCharsets.UTF_8);
            case JSON -> (GoJson.write(single(branches)) + "\n").getBytes(StandardCharsets.UTF_8);
            case BINARY -> emitBinary(single(branches));
            case DOTENV -> emitDotenv(single(branches), dotenv).getBytes(StandardCharsets.UTF_8);
            case INI -> throw new SopsException("SOPS INI files are not supported");
        };
    }

    @SuppressWarnings("unchecked")
    private static Loaded loadYaml(String text) throws SopsException {
        List<Map<String, Object>> branches = new ArrayList<>();
        Map<?, ?> sops = null;
        try {
            for (Object doc : YamlBounds.MANIFESTS.loadAll(YamlBounds.MANIFESTS.settings("sops").build(), text)) {
                if (doc == null) {
                    branches.add(new LinkedHashMap<>());
                    continue;
                }
                if (!(doc instanceof Map<?, ?> map)) {
                    throw new SopsException("YAML documents that are not mappings are not supported");
                }
                Map<String, Object> branch = new LinkedHashMap<>((Map<String, Object>) map);
                Object metadata = branch.remove("sops");
                if (sops == null && branches.isEmpty() && metadata instanceof Map<?, ?> m) {
                    sops = m;
                }
                branches.add(branch);
            }
        } catch (YamlBoundException e) {
            throw new SopsException("invalid YAML: " + e.getProblem()
                    + e.getProblemMark().map(m -> " (line " + (m.getLine() + 1) + ")").orElse(""));
        } catch (YamlEngineException e) {
            throw new SopsException("invalid YAML: " + firstLine(e.getMessage()));
        }
        if (sops == null) {
            throw new SopsException("sops metadata not found");
        }
        return new Loaded(branches, sops, null);
    }

    @SuppressWarnings("unchecked")
    private static Loaded loadJson(byte[] content) throws SopsException {
        Object root;
        try {
            root = JSON.readValue(content, Object.class);
        } catch (java.io.IOException e) {
            throw new SopsException("invalid JSON: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new SopsException("SOPS only supports JSON documents with a top-level object");
        }
        Map<String, Object> branch = new LinkedHashMap<>((Map<String, Object>) map);
        if (!(branch.remove("sops") instanceof Map<?, ?> sops)) {
            throw new SopsException("sops metadata not found");
        }
        return new Loaded(List.of(branch), sops, null);
    }

    private static Loaded loadDotenv(String text) throws SopsException {
        List<DotenvLine> lines = new ArrayList<>();
        Map<String, Object> branch = new LinkedHashMap<>();
        Map<String, Object> flat = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.charAt(0) == '#') {
                lines.add(new DotenvLine(null, line.substring(1)));
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new SopsException("invalid dotenv line " + number + " (no '=')");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1).replace("\\n", "\n");
            if (key.startsWith(DOTENV_PREFIX)) {
                flat.put(key.substring(DOTENV_PREFIX.length()), value.replace("\\n", "\n"));
            } else {
                lines.add(new DotenvLine(key, value));
                branch.put(key, value);
            }
        }
        if (flat.isEmpty()) {
            throw new SopsException("sops metadata not found");
        }
        return new Loaded(List.of(branch), unflatten(flat), lines);
    }

    /** SOPS's {@code stores.Unflatten}: {@code age__list_0__map_enc} → {@code {age: [{enc: ...}]}}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> unflatten(Map<String, Object> flat) throws SopsException {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : flat.entrySet()) {
            List<Object> tokens = new ArrayList<>();
            Matcher m = FLAT_SEPARATOR.matcher(e.getKey());
            int start = 0;
            boolean list = false;
            while (m.find()) {
                tokens.add(token(e.getKey().substring(start, m.start()), list));
                list = "list".equals(m.group(1));
                start = m.end();
            }
            tokens.add(token(e.getKey().substring(start), list));
            Object node = root;
            for (int i = 0; i < tokens.size(); i++) {
                Object token = tokens.get(i);
                boolean last = i == tokens.size() - 1;
                Object next = last ? e.getValue()
                        : tokens.get(i + 1) instanceof Integer ? new ArrayList<>() : new LinkedHashMap<>();
                if (node instanceof Map<?, ?> map && token instanceof String k) {
                    node = ((Map<String, Object>) map).computeIfAbsent(k, x -> next);
                } else if (node instanceof List<?> l && token instanceof Integer index) {
                    List<Object> items = (List<Object>) l;
                    while (items.size() <= index) {
                        items.add(null);
                    }
                    if (items.get(index) == null) {
                        items.set(index, next);
                    }
                    node = items.get(index);
                } else {
                    throw new SopsException("sops metadata entry '" + e.getKey() + "' is inconsistent");
                }
            }
        }
        return root;
    }

    private static Object token(String text, boolean list) throws SopsException {
        if (!list) {
            return text;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SopsException("sops metadata list position '" + text + "' is not a number");
        }
    }

    private static String emitYaml(List<Map<String, Object>> branches) {
        Dump dump = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setIndent(4)
                .setIndicatorIndent(2).setIndentWithIndicator(true).build());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < branches.size(); i++) {
            if (i > 0) {
                out.append("---\n");
            }
            Map<String, Object> branch = plain(branches.get(i));
            out.append(branch.isEmpty() ? "{}\n" : dump.dumpToString(branch));
        }
        return out.toString();
    }

    /** Replaces byte[] leaves (non-UTF-8 strings) by text so that YAML writes them as strings. */
    @SuppressWarnings("unchecked")
    private static <T> T plain(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, plain(v)));
            return (T) out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(plain(v)));
            return (T) out;
        }
        if (value instanceof byte[] bytes) {
            return (T) new String(bytes, StandardCharsets.UTF_8);
        }
        return value;
    }

    private static byte[] emitBinary(Map<String, Object> branch) throws SopsException {
        Object data = branch.get("data");
        if (data instanceof byte[] bytes) {
            return bytes;
        }
        if (data instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        throw new SopsException(data == null ? "no binary data found in the document"
                : "the document's 'data' value is not a string");
    }

    private static String emitDotenv(Map<String, Object> branch, List<DotenvLine> lines) throws SopsException {
        StringBuilder out = new StringBuilder();
        List<DotenvLine> order = lines;
        if (order == null) {
            order = new ArrayList<>();
            for (String key : branch.keySet()) {
                order.add(new DotenvLine(key, null));
            }
        }
        for (DotenvLine line : order) {
            if (line.key() == null) {
                out.append('#').append(line.value()).append('\n');
                continue;
            }
            Object value = branch.get(line.key());
            if (value instanceof Map<?, ?> || value instanceof List<?>) {
                throw new SopsException("cannot use complex value in dotenv file: '" + line.key() + "'");
            }
            out.append(line.key()).append('=').append(GoValues.text(value == null ? "" : value).replace("\n", "\\n"))
                    .append('\n');
        }
        return out.toString();
    }

    private static Map<String, Object> single(List<Map<String, Object>> branches) throws SopsException {
        if (branches.size() != 1) {
            throw new SopsException("there must be exactly one document, not " + branches.size());
        }
        return branches.get(0);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Go's {@code encoding/json} output as SOPS's JSON store writes it (tab indentation, HTML-safe escaping). */
    static final class GoJson {
        private GoJson() {
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, 0, out);
            return out.toString();
        }

        private static void write(Object value, int depth, StringBuilder out) {
            if (value instanceof Map<?, ?> map) {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append("\t".repeat(depth + 1));
                    string(String.valueOf(e.getKey()), out);
                    out.append(": ");
                    write(e.getValue(), depth + 1, out);
                    out.append(++i < map.size() ? ",\n" : "\n");
                }
                out.append("\t".repeat(depth)).append('}');
            } else if (value instanceof List<?> list) {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append("[\n");
                for (int i = 0; i < list.size(); i++) {
                    out.append("\t".repeat(depth + 1));
                    write(list.get(i), depth + 1, out);
                    out.append(i + 1 < list.size() ? ",\n" : "\n");
                }
                out.append("\t".repeat(depth)).append(']');
            } else if (value == null) {
                out.append("null");
            } else if (value instanceof String s) {
                string(s, out);
            } else if (value instanceof byte[] bytes) {
                string(Base64.getEncoder().encodeToString(bytes), out);
            } else if (value instanceof Double || value instanceof Float) {
                out.append(number(((Number) value).doubleValue()));
            } else {
                out.append(value);
            }
        }

        /** Go's float64 JSON form: {@code 'f'} format, {@code 'e'} below 1e-6 or from 1e21 on. */
        private static String number(double f) {
            double abs = Math.abs(f);
            if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
                String s = new java.math.BigDecimal(Double.toString(f)).stripTrailingZeros().toString();
                return s.replace("E", "e");
            }
            return GoValues.formatFloat(f);
        }

        private static void string(String s, StringBuilder out) {
            String quoted;
            try {
                quoted = JSON.writeValueAsString(s);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a string always serializes", e);
            }
            out.append(quoted.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                    .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"));
        }
    }
}
