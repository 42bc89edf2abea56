package io.conflux.applier.release;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One Helm hook of a release, read from its annotations as Helm reads them ({@code helm.sh/helm/v4/pkg/release/v1}
 * {@code hook.go}, {@code pkg/action/hooks.go}): {@code helm.sh/hook} — the events, comma-separated ({@code
 * pre-install}, {@code post-install}, {@code pre-upgrade}, {@code post-upgrade}, {@code pre-rollback},
 * {@code post-rollback}, {@code pre-delete}, {@code post-delete}, {@code test}; Helm 2's {@code test-success} counts
 * as {@code test}); {@code helm.sh/hook-weight} — an integer, 0 when absent or not a number (Helm's
 * {@code strconv.Atoi} failure); {@code helm.sh/hook-delete-policy} — comma-separated {@code before-hook-creation},
 * {@code hook-succeeded}, {@code hook-failed}, {@link #BEFORE_HOOK_CREATION} when none is given.
 *
 * @param kind           the object's kind
 * @param namespace      its namespace ({@code ""} for a cluster-scoped object)
 * @param name           its name
 * @param events         the events it runs on, lower case
 * @param weight         the sort weight
 * @param deletePolicies the delete policies (never empty)
 * @param object         the object as rendered
 */
public record Hook(String kind, String namespace, String name, Set<String> events, int weight,
                   Set<String> deletePolicies, Map<String, Object> object) {
    /** Annotation naming a hook's events. */
    public static final String HOOK_ANNOTATION = "helm.sh/hook";
    /** Annotation giving a hook's weight. */
    public static final String WEIGHT_ANNOTATION = "helm.sh/hook-weight";
    /** Annotation giving a hook's delete policies. */
    public static final String DELETE_ANNOTATION = "helm.sh/hook-delete-policy";
    /** Delete the previous object of the hook before it is created (Helm's default). */
    public static final String BEFORE_HOOK_CREATION = "before-hook-creation";
    /** Delete the hook's object once every hook of the event succeeded. */
    public static final String HOOK_SUCCEEDED = "hook-succeeded";
    /** Delete the hook's object when it failed. */
    public static final String HOOK_FAILED = "hook-failed";
    /** The event of test hooks ({@code helm test}, helm-controller's {@code spec.test}). */
    public static final String TEST = "test";

    /**
     * @param object a rendered object carrying {@link #HOOK_ANNOTATION}
     * @return the hook
     */
    public static Hook of(Map<String, Object> object) {
        Map<?, ?> metadata = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> annotations = metadata.get("annotations") instanceof Map<?, ?> a ? a : Map.of();
        Set<String> events = new LinkedHashSet<>();
        for (String event : split(annotations.get(HOOK_ANNOTATION))) {
            events.add("test-success".equals(event) ? TEST : event);
        }
        int weight;
        try {
            weight = Integer.parseInt(String.valueOf(annotations.get(WEIGHT_ANNOTATION)).trim());
        } catch (NumberFormatException e) {
            weight = 0;
        }
        Set<String> policies = new LinkedHashSet<>(split(annotations.get(DELETE_ANNOTATION)));
        if (policies.isEmpty()) {
            policies.add(BEFORE_HOOK_CREATION);
        }
        return new Hook(String.valueOf(object.get("kind")),
                metadata.get("namespace") == null ? "" : String.valueOf(metadata.get("namespace")),
                String.valueOf(metadata.get("name")), Set.copyOf(events), weight, Set.copyOf(policies), object);
    }

    /**
     * The hooks of one event in Helm's execution order: by weight, then by name, the manifest (kind) order kept for
     * equal ones ({@code sort.Stable(hookByWeight)}).
     *
     * @param hooks the release's hook objects in manifest order
     * @param event e.g. {@code pre-install}
     * @return the hooks to run, in order
     */
    public static List<Hook> forEvent(List<Map<String, Object>> hooks, String event) {
        List<Hook> out = new ArrayList<>();
        for (Map<String, Object> object : hooks) {
            Hook hook = of(object);
            if (hook.events().contains(event)) {
                out.add(hook);
            }
        }
        out.sort(Comparator.comparingInt(Hook::weight).thenComparing(Hook::name));
        return out;
    }

    /** @return {@code Kind/namespace/name} (or {@code Kind/name}) */
    public String id() {
        return kind + "/" + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }

    /** @return whether the hook has the delete policy */
    public boolean deletes(String policy) {
        return deletePolicies.contains(policy) && !"CustomResourceDefinition".equals(kind); // Helm never deletes CRDs
    }

    private static List<String> split(Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : String.valueOf(value).split(",")) {
            String s = part.trim().toLowerCase(Locale.ROOT);
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
