package io.conflux.applier.release;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A HelmRelease's {@code spec.driftDetection} (helm-controller's {@code DriftDetection}, {@code helm.toolkit.fluxcd.io/v2}):
 * {@code mode} {@code disabled} (the default: a released bundle is not compared nor applied again), {@code warn}
 * (drift is detected and reported, not corrected) or {@code enabled} (detected, reported and corrected), and
 * {@code ignore} rules: JSON Pointers (RFC 6901) left out of the comparison for the objects a rule's {@code target}
 * selects (every object without a target). A target's {@code group}, {@code version}, {@code kind}, {@code name} and
 * {@code namespace} are anchored regular expressions, {@code labelSelector} and {@code annotationSelector}
 * equality-based selectors ({@code k=v}, {@code k==v}, {@code k!=v}, {@code k}, {@code !k}, comma-separated), as
 * Flux's {@code kustomize.Selector} in {@code ssa/jsondiff}. Pure.
 *
 * @param mode   {@link #DISABLED}, {@link #WARN} or {@link #ENABLED}
 * @param ignore the ignore rules, in order
 */
public record DriftDetection(String mode, List<IgnoreRule> ignore) {
    /** Drift is not looked for (helm-controller's default). */
    public static final String DISABLED = "disabled";
    /** Drift is reported, not corrected. */
    public static final String WARN = "warn";
    /** Drift is reported and corrected. */
    public static final String ENABLED = "enabled";
    /** The annotation or label ({@code helm.toolkit.fluxcd.io/driftDetection: disabled}) leaving an object out. */
    public static final String OBJECT_KEY = "helm.toolkit.fluxcd.io/driftDetection";

    /**
     * One ignore rule.
     *
     * @param paths  JSON Pointers, e.g. {@code /spec/replicas}
     * @param target the selector, or null for every object
     */
    public record IgnoreRule(List<String> paths, Target target) {
    }

    /**
     * A rule's {@code target}: null fields match anything.
     *
     * @param group              API group pattern ({@code ""} for core)
     * @param version            version pattern
     * @param kind               kind pattern
     * @param name               name pattern
     * @param namespace          namespace pattern
     * @param labelSelector      equality-based label selector
     * @param annotationSelector equality-based annotation selector
     */
    public record Target(Pattern group, Pattern version, Pattern kind, Pattern name, Pattern namespace,
                         String labelSelector, String annotationSelector) {

        /** @return whether the object (a JSON tree; {@code namespace} as resolved) is selected */
        public boolean matches(Map<String, Object> object, String namespace) {
            String apiVersion = String.valueOf(object.get("apiVersion"));
            int slash = apiVersion.indexOf('/');
            Map<?, ?> metadata = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
            return matches(group, slash < 0 ? "" : apiVersion.substring(0, slash))
                    && matches(version, slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
                    && matches(kind, String.valueOf(object.get("kind")))
                    && matches(name, String.valueOf(metadata.get("name")))
                    && matches(this.namespace, namespace == null ? "" : namespace)
                    && selects(labelSelector, metadata.get("labels"))
                    && selects(annotationSelector, metadata.get("annotations"));
        }

        private static boolean matches(Pattern p, String value) {
            return p == null || p.matcher(value).matches();
        }

        private static boolean selects(String selector, Object values) {
            if (selector == null || selector.isBlank()) {
                return true;
            }
            Map<?, ?> m = values instanceof Map<?, ?> map ? map : Map.of();
            for (String term : selector.split(",")) {
                String t = term.trim();
                boolean ok;
                if (t.contains("!=")) {
                    String[] kv = t.split("!=", 2);
                    ok = !kv[1].trim().equals(m.get(kv[0].trim()));
                } else if (t.contains("=")) {
                    String[] kv = t.split("==?", 2);
                    ok = kv[1].trim().equals(m.get(kv[0].trim()));
                } else if (t.startsWith("!")) {
                    ok = !m.containsKey(t.substring(1).trim());
                } else {
                    ok = m.containsKey(t);
                }
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param spec {@code spec.driftDetection}, or null
     * @return the drift detection; mode {@code disabled} when absent
     * @throws IllegalArgumentException naming the field when a value has the wrong type or is not allowed
     */
    public static DriftDetection of(Map<String, Object> spec) {
        if (spec == null) {
            return new DriftDetection(DISABLED, List.of());
        }
        Object mode = spec.get("mode");
        String m = mode == null || String.valueOf(mode).isEmpty() ? DISABLED : String.valueOf(mode);
        if (!List.of(DISABLED, WARN, ENABLED).contains(m)) {
            throw new IllegalArgumentException("spec.driftDetection.mode must be enabled, warn or disabled, not '" + m + "'");
        }
        List<IgnoreRule> rules = new ArrayList<>();
        Object ignore = spec.get("ignore");
        if (ignore != null && !(ignore instanceof List<?>)) {
            throw new IllegalArgumentException("spec.driftDetection.ignore must be a list");
        }
        List<?> list = ignore == null ? List.of() : (List<?>) ignore;
        for (int i = 0; i < list.size(); i++) {
            String field = "spec.driftDetection.ignore[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> rule) || !(rule.get("paths") instanceof List<?> paths)) {
                throw new IllegalArgumentException(field + " must be an object with a list of paths");
            }
            List<String> pointers = new ArrayList<>();
            for (Object p : paths) {
                String pointer = String.valueOf(p);
                if (!pointer.isEmpty() && !pointer.startsWith("/")) {
                    throw new IllegalArgumentException(field + ".paths: '" + pointer + "' is not a JSON Pointer (it must start with /)");
                }
                pointers.add(pointer);
            }
            Target target = null;
            if (rule.get("target") instanceof Map<?, ?> t) {
                target = new Target(pattern(t.get("group"), field), pattern(t.get("version"), field),
                        pattern(t.get("kind"), field), pattern(t.get("name"), field), pattern(t.get("namespace"), field),
                        t.get("labelSelector") == null ? null : String.valueOf(t.get("labelSelector")),
                        t.get("annotationSelector") == null ? null : String.valueOf(t.get("annotationSelector")));
            } else if (rule.get("target") != null) {
                throw new IllegalArgumentException(field + ".target must be an object");
            }
            rules.add(new IgnoreRule(List.copyOf(pointers), target));
        }
        return new DriftDetection(m, List.copyOf(rules));
    }

    /** @return whether drift is looked for ({@code warn} or {@code enabled}) */
    public boolean detects() {
        return !DISABLED.equals(mode);
    }

    /** @return whether drift is corrected ({@code enabled}) */
    public boolean corrects() {
        return ENABLED.equals(mode);
    }

    /**
     * @param object    a release object (JSON tree)
     * @param namespace its namespace as resolved (empty for cluster-scoped)
     * @return the JSON Pointers ignored for it
     */
    public List<String> ignoredPaths(Map<String, Object> object, String namespace) {
        List<String> out = new ArrayList<>();
        for (IgnoreRule rule : ignore) {
            if (rule.target() == null || rule.target().matches(object, namespace)) {
                out.addAll(rule.paths());
            }
        }
        return out;
    }

    private static Pattern pattern(Object value, String field) {
        if (value == null || String.valueOf(value).isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(String.valueOf(value));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(field + ".target: '" + value + "' is not a regular expression: "
                    + e.getDescription());
        }
    }
}
