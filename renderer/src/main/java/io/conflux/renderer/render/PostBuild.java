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
import java.util.regex.Pattern;

/**
 * What kustomize-controller does to the built objects before applying them:
 * {@code spec.commonMetadata} labels and annotations added to every object (not to selectors or templates), and
 * {@code spec.postBuild} variable substitution on each object's YAML with every form of Flux's envsubst
 * ({@link Envsubst}: {@code ${var}}, defaults, substrings, replacements, prefix/suffix removal, case changes,
 * {@code $${var}} for a literal {@code ${var}}). In strict mode (kustomize-controller's
 * {@code StrictPostBuildSubstitutions} feature gate, {@code conflux.renderer.strict-post-build-substitutions}) an
 * undefined variable without a default fails the render naming the variable and the object; otherwise it becomes the
 * empty string. Variables come from {@code substituteFrom} ConfigMaps and Secrets in order (later ones win; a missing
 * one with {@code optional: true} defines nothing), then the inline {@code substitute} map, which takes precedence;
 * line breaks are removed from every value, as Flux does. As in Flux ({@code substituteStrategy: WithVariables}, the
 * default), nothing is substituted when no variable is defined; {@code substituteStrategy: Always} substitutes anyway
 * (so that {@code ${var:=default}} expands). Objects labelled or annotated
 * {@code kustomize.toolkit.fluxcd.io/substitute: disabled} are left as they are. Follows fluxcd/pkg
 * {@code kustomize/kustomize_varsub.go} and kustomize-controller's "Post build variable substitution".
 */
public final class PostBuild {
    /** The label/annotation that turns substitution off for one object. */
    public static final String SUBSTITUTE_ANNOTATION = Kustomization.GROUP + "/substitute";
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

    /**
     * Conflux's default of {@code StrictPostBuildSubstitutions}: off, as in Flux 2.7 and earlier (kustomize-controller
     * turned it on by default in v1.9), so that every repository written for those renders unchanged; the renderer's key
     * {@code conflux.renderer.strict-post-build-substitutions} sets it.
     */
    public static final boolean DEFAULT_STRICT = false;

    /** {@code spec.postBuild.substituteStrategy} that substitutes even when no variable is defined. */
    public static final String STRATEGY_ALWAYS = "Always";

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
                data.forEach((k, v) -> vars.put(k, v == null ? "" : v.replace("\n", "")));
            }
        }
        if (postBuild.substitute() != null) {
            postBuild.substitute().forEach((k, v) -> vars.put(k, v == null ? "" : v.replace("\n", "")));
        }
        for (String name : vars.keySet()) {
            if (!NAME.matcher(name).matches()) {
                throw new SubstitutionException("'" + name + "' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'");
            }
        }
        return vars;
    }

    /**
     * As {@link #apply(List, CommonMetadata, Map, boolean, boolean)} in non-strict mode.
     *
     * @return new objects (the input is not modified)
     */
    public static List<Map<String, Object>> apply(List<Map<String, Object>> objects, CommonMetadata metadata,
                                                  Map<String, String> vars, boolean substitute) {
        return apply(objects, metadata, vars, substitute, false);
    }

    /**
     * Whether kustomize-controller substitutes at all: {@code spec.postBuild} is set, and either a variable is defined
     * or {@code substituteStrategy} is {@code Always}.
     *
     * @param postBuild {@code spec.postBuild}, may be null
     * @param vars      the variables {@link #variables} found
     */
    public static boolean substitutes(io.conflux.model.kustomize.PostBuild postBuild, Map<String, String> vars) {
        return postBuild != null && (!vars.isEmpty() || STRATEGY_ALWAYS.equals(postBuild.substituteStrategy()));
    }

    /**
     * Applies {@code commonMetadata} and, when {@code substitute}, expands {@code vars} in every object.
     *
     * @param strict whether an undefined variable without a default fails
     * @return new objects (the input is not modified)
     * @throws KustomizeException when an object's text does not parse as envsubst or the result as YAML (naming the
     *                            object, never a value)
     * @throws UndefinedVariableException in strict mode, naming the variable and the object
     */
    public static List<Map<String, Object>> apply(List<Map<String, Object>> objects, CommonMetadata metadata,
                                                  Map<String, String> vars, boolean substitute, boolean strict) {
        List<Map<String, Object>> out = new ArrayList<>(objects.size());
        for (Map<String, Object> object : objects) {
            Map<String, Object> o = deepCopy(object);
            if (metadata != null) {
                addAll(o, "labels", metadata.labels());
                addAll(o, "annotations", metadata.annotations());
            }
            if (substitute && !disabled(o)) {
                String yaml = KYaml.dumpAll(List.of(o));
                String replaced = substitute(yaml, vars, strict, kindAndName(o));
                if (!replaced.equals(yaml)) {
                    o = reparse(replaced, kindAndName(o));
                }
            }
            out.add(o);
        }
        return out;
    }

    /** @return {@code text} with Flux's variable rules applied, non-strict ({@link Envsubst}) */
    public static String substitute(String text, Map<String, String> vars) {
        return substitute(text, vars, false, "text");
    }

    /** Strict mode: an object references a variable that is not defined, without a default. */
    public static final class UndefinedVariableException extends RuntimeException {
        UndefinedVariableException(String message) {
            super(message);
        }
    }

    private static String substitute(String text, Map<String, String> vars, boolean strict, String subject) {
        try {
            return Envsubst.expand(text, vars, strict);
        } catch (Envsubst.VariableNotSet e) {
            throw new UndefinedVariableException("post build failed for '" + subject + "': variable substitution failed: "
                    + e.getMessage() + " (define it in spec.postBuild.substitute or substituteFrom, or give it a "
                    + "default: ${" + e.variable() + ":=value})");
        } catch (Envsubst.EnvsubstException e) {
            throw new KustomizeException("post build failed for '" + subject + "': variable substitution failed: "
                    + e.getMessage());
        }
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
