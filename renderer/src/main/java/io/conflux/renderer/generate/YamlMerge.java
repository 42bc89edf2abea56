package io.conflux.renderer.generate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The {@code Merge} copy strategy of fluxcd/source-watcher ({@code internal/builder/merge.go}): both files are read as
 * YAML (the documents of each merged into one map), the source deep-merged over the destination as Helm merges values
 * files — maps merged key by key, anything else (lists included) replaced — and written back with sorted keys, as
 * {@code sigs.k8s.io/yaml} marshals a map.
 */
final class YamlMerge {
    private YamlMerge() {
    }

    /**
     * @param destination the file in the artifact
     * @param source      the file copied onto it
     * @param name        the destination path, for messages
     * @return the merged YAML
     * @throws IllegalArgumentException when either is not YAML mappings, naming {@code name}
     */
    static String merge(String destination, String source, String name) {
        Map<String, Object> merged = merge(load(destination, name), load(source, name));
        return new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(sorted(merged));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String text, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(text)) {
                if (doc == null) {
                    continue;
                }
                if (!(doc instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("cannot merge '" + name + "': a YAML document is not a mapping");
                }
                out = merge(out, (Map<String, Object>) m);
            }
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException("cannot merge '" + name + "': not YAML: " + e.getMessage());
        }
        return out;
    }

    /** Helm's values merge: {@code overlay} over {@code base}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overlay) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        overlay.forEach((k, v) -> {
            if (v instanceof Map<?, ?> vm && out.get(k) instanceof Map<?, ?> bm) {
                out.put(k, merge((Map<String, Object>) bm, (Map<String, Object>) vm));
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object sorted(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> t = new TreeMap<>();
            m.forEach((k, v) -> t.put(String.valueOf(k), sorted(v)));
            return t;
        }
        if (o instanceof java.util.List<?> l) {
            return l.stream().map(YamlMerge::sorted).toList();
        }
        return o;
    }
}
