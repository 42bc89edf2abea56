package io.conflux.renderer.render;

import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.yaml.KYaml;
import io.conflux.model.kustomize.CommonMetadata;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.PostBuild.SubstituteReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What kustomize-controller does to the built objects before applying them:
 * {@code spec.commonMetadata} labels and annotations added to every object (not to selectors or templates), and
 * {@code spec.postBuild} variable substitution on each object's YAML — {@code ${var}} replaced by its value,
 * {@code ${var:=default}} by the default when the variable is unset, {@code $${var}} left as the literal
 * {@code ${var}}, an unset variable without default replaced by the empty string (Flux's non-strict mode).
 * Variables come from {@code substituteFrom} ConfigMaps and Secrets in order (later ones win), then the inline
 * {@code substitute} map, which takes precedence. Objects labelled or annotated
 * {@code kustomize.toolkit.fluxcd.io/substitute: disabled} are left as they are.
 */
public final class PostBuild {
    /** The label/annotation that turns substitution off for one object. */
    public static final String SUBSTITUTE_ANNOTATION = Kustomization.GROUP + "/substitute";
    private static final Pattern VARIABLE = Pattern.compile("\\$(\\$?)\\{([_a-zA-Z][_a-zA-Z0-9]*)(?::=([^}]*))?}");
    private static final Pattern NAME = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");

    private PostBuild() {
    }

    /** Where {@code substituteFrom} entries are read: the data of a ConfigMap or Secret, null when absent. */
    @FunctionalInterface
    public interface VariableSource {
        /**
         * @param kind {@code ConfigMap} or {@code Secret}
         * @param name object name, in the Kustomization's namespace
         * @return the (decoded) data, or null when the object does not exist
         */
        Map<String, String> data(String kind, String name);
    }

    /** A {@code substituteFrom} object that is missing and not optional, or an invalid variable name. */
    public static final class SubstitutionException extends RuntimeException {
        SubstitutionException(String message) {
            super(message);
        }
    }

    /**
     * @return the variables for {@code postBuild}
     * @throws SubstitutionException when a non-optional source is missing or a variable name is invalid
     */
    public static Map<String, String> variables(io.conflux.model.kustomize.PostBuild postBuild, VariableSource source) {
        Map<String, String> vars = new LinkedHashMap<>();
        if (postBuild == null) {
            return vars;
        }
        if (postBuild.substituteFrom() != null) {
            for (SubstituteReference ref : postBuild.substituteFrom()) {
                Map<String, String> data = source.data(ref.kind(), ref.name());
                if (data == null) {
                    if (Boolean.TRUE.equals(ref.optional())) {
                        continue;
                    }
                    throw new SubstitutionException("substitute from '" + ref.kind() + "/" + ref.name() + "' error: "
                            + ref.kind().toLowerCase(java.util.Locale.ROOT) + "s \"" + ref.name() + "\" not found");
                }
                vars.putAll(data);
            }
        }
        if (postBuild.substitute() != null) {
            vars.putAll(postBuild.substitute());
        }
        for (String name : vars.keySet()) {
            if (!NAME.matcher(name).matches()) {
                throw new SubstitutionException("'" + name + "' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'");
            }
        }
        return vars;
    }

    /**
     * Applies {@code commonMetadata} and substitutes {@code vars} in every object.
     *
     * @return new objects (the input is not modified)
     */
    public static List<Map<String, Object>> apply(List<Map<String, Object>> objects, CommonMetadata metadata,
                                                  Map<String, String> vars, boolean substitute) {
        List<Map<String, Object>> out = new ArrayList<>(objects.size());
        for (Map<String, Object> object : objects) {
            Map<String, Object> o = deepCopy(object);
            if (metadata != null) {
                addAll(o, "labels", metadata.labels());
                addAll(o, "annotations", metadata.annotations());
            }
            if (substitute && !disabled(o)) {
                String yaml = KYaml.dumpAll(List.of(o));
                String replaced = substitute(yaml, vars);
                if (!replaced.equals(yaml)) {
                    o = reparse(replaced, kindAndName(o));
                }
            }
            out.add(o);
        }
        return out;
    }

    /** @return {@code text} with Flux's variable rules applied */
    public static String substitute(String text, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (!m.group(1).isEmpty()) {
                replacement = m.group().substring(1);
            } else if (vars.containsKey(m.group(2))) {
                replacement = vars.get(m.group(2));
            } else {
                replacement = m.group(3) == null ? "" : m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void addAll(Map<String, Object> o, String field, Map<String, String> values) {
        if (values == null || values.isEmpty()) {
            return;
        }
        Map<String, Object> meta = (Map<String, Object>) o.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
        Map<String, Object> target = meta.get(field) instanceof Map<?, ?> existing
                ? new LinkedHashMap<>((Map<String, Object>) existing) : new LinkedHashMap<>();
        target.putAll(values);
        meta.put(field, target);
    }

    private static boolean disabled(Map<String, Object> o) {
        if (!(o.get("metadata") instanceof Map<?, ?> meta)) {
            return false;
        }
        for (String field : List.of("labels", "annotations")) {
            if (meta.get(field) instanceof Map<?, ?> values && "disabled".equals(values.get(SUBSTITUTE_ANNOTATION))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads an object back after substitution. A value that breaks the YAML (an unquoted {@code *x}, {@code : } or
     * line break) fails naming the object and line only: the parser's problem would quote the substituted text, and
     * the values come from Secrets.
     */
    private static Map<String, Object> reparse(String yaml, String subject) {
        List<Map<String, Object>> objects;
        try {
            objects = KYaml.parseAll(yaml, subject);
        } catch (KustomizeException e) {
            throw new KustomizeException("post build failed for '" + subject + "': the substituted variables make "
                    + "invalid YAML" + (e.line().isPresent() ? " at line " + e.line().getAsInt() : "")
                    + " (quote the variable where it is used); the values are not shown");
        }
        if (objects.size() != 1) {
            throw new KustomizeException("post build failed for '" + subject + "': the substituted variables make "
                    + objects.size() + " objects out of one; the values are not shown");
        }
        return objects.get(0);
    }

    private static String kindAndName(Map<String, Object> o) {
        Object meta = o.get("metadata");
        return o.get("kind") + "/" + (meta instanceof Map<?, ?> m ? m.get("name") : "?");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, copyValue(v)));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object copyValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return deepCopy((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            l.forEach(e -> copy.add(copyValue(e)));
            return copy;
        }
        return v;
    }
}
