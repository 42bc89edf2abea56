package io.conflux.applier.reconcile;

import io.conflux.applier.cel.CelExpression;
import io.conflux.applier.cel.CelExpressionException;
import io.conflux.applier.cel.FluxCel;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.DependencyReference;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Flux's {@code dependsOn} gate: an object may be applied only when every dependency (an object of the same kind,
 * namespace defaulting to the dependent's) exists, is {@code Ready=True} for its current generation and has applied
 * the revision it last attempted (kustomize-controller's and helm-controller's {@code checkDependencies}); and, for
 * Kustomizations of the same source ({@code sourceRef} kind, namespace and name), has applied the very source revision
 * the dependent is about to apply (kustomize-controller: "dependency '…' revision is not up to date"). Conflux also
 * reports dependency cycles instead of waiting on them forever.
 * <p>
 * A dependency with {@code readyExpr} (Flux 2.7) is ready when that CEL expression yields true over {@code dep} (the
 * dependency) and {@code self} (the dependent), each the whole object as a map ({@link FluxCel#compileBool}); the
 * expression then <em>replaces</em> the built-in check (Ready, generation, revision), as kustomize-controller v1.7 and
 * helm-controller v1.4 do with their {@code AdditiveCELDependencyCheck} feature gate at its default, off. An
 * expression that fails to evaluate (e.g. a field the object lacks) is a dependency not ready, with the error; one that
 * does not compile is reported by {@link #invalidExpression} before any dependency is looked at.
 */
public final class DependencyCheck {
    /** The {@code readyExpr} variable holding the dependent. */
    public static final String SELF = "self";
    /** The {@code readyExpr} variable holding the dependency. */
    public static final String DEP = "dep";
    /**
     * Whether a {@code readyExpr} adds to the built-in check instead of replacing it: Flux's
     * {@code AdditiveCELDependencyCheck} feature gate, off by default in Flux 2.7 and here.
     */
    static final boolean ADDITIVE_CEL_DEPENDENCY_CHECK = false;
    /** fabric8's JSON (de)serialization of Kubernetes objects, to give CEL the objects as maps. */
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

    private DependencyCheck() {
    }

    /**
     * Compiles every {@code spec.dependsOn[i].readyExpr} of {@code r}, as kustomize-controller's
     * {@code evalReadyExpr} does (a terminal {@code InvalidCELExpression} error).
     *
     * @return empty when every expression compiles to a bool, else the message naming
     *         {@code spec.dependsOn[i].readyExpr} and cel-java's issue
     */
    public static Optional<String> invalidExpression(Reconcilable r) {
        List<DependencyReference> deps = r.dependsOn();
        if (deps == null) {
            return Optional.empty();
        }
        for (int i = 0; i < deps.size(); i++) {
            if (deps.get(i).hasReadyExpr()) {
                try {
                    readyExpr(i, deps.get(i));
                } catch (CelExpressionException e) {
                    return Optional.of(e.getMessage());
                }
            }
        }
        return Optional.empty();
    }

    private static CelExpression readyExpr(int index, DependencyReference d) throws CelExpressionException {
        return FluxCel.compileBool("spec.dependsOn[" + index + "].readyExpr", d.readyExpr(), SELF, DEP);
    }

    /**
     * @param r        the dependent
     * @param revision the source revision the dependent is about to apply ({@code main@sha1:…}), or null if unknown
     * @param lookup   finds an object by key in the watched caches
     * @return empty when all dependencies are ready, else the message for {@code Ready=False DependencyNotReady}
     */
    public static Optional<String> blocking(Reconcilable r, String revision,
                                            Function<ObjectKey, Optional<Reconcilable>> lookup) {
        List<DependencyReference> deps = r.dependsOn();
        if (deps == null || deps.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> cycle = cycle(r, lookup);
        if (cycle.isPresent()) {
            return cycle;
        }
        for (int i = 0; i < deps.size(); i++) {
            DependencyReference d = deps.get(i);
            ObjectKey key = dependencyKey(r.key(), d);
            Optional<Reconcilable> dep = lookup.apply(key);
            if (dep.isEmpty()) {
                return Optional.of("unable to get '" + key.namespace() + "/" + key.name() + "' dependency: not found");
            }
            if (d.hasReadyExpr()) {
                try {
                    if (!readyExpr(i, d).evaluate(Map.of(SELF, tree(r), DEP, tree(dep.get())))) {
                        return Optional.of("dependency '" + key.namespace() + "/" + key.name()
                                + "' is not ready according to readyExpr eval");
                    }
                } catch (CelExpressionException e) {
                    return Optional.of("dependency '" + key.namespace() + "/" + key.name() + "': " + e.getMessage());
                }
                if (!ADDITIVE_CEL_DEPENDENCY_CHECK) {
                    continue;
                }
            }
            var status = dep.get().status();
            boolean ready = status != null
                    && Conditions.isReady(status.conditions(), dep.get().generation())
                    && (status.lastAttemptedRevision() == null
                    || status.lastAttemptedRevision().equals(dep.get().appliedRevision()));
            if (!ready) {
                return Optional.of("dependency '" + key.namespace() + "/" + key.name() + "' is not ready");
            }
            Optional<String> source = r.source();
            if (revision != null && source.isPresent() && source.equals(dep.get().source())
                    && !revision.equals(dep.get().appliedRevision())) {
                return Optional.of("dependency '" + key.namespace() + "/" + key.name() + "' revision is not up to date");
            }
        }
        return Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(Reconcilable r) {
        return KUBERNETES_JSON.convertValue(r.object(), Map.class);
    }

    /** @return the objects among {@code all} that list {@code key} in their dependsOn */
    public static List<Reconcilable> dependents(ObjectKey key, List<Reconcilable> all) {
        List<Reconcilable> out = new ArrayList<>();
        for (Reconcilable r : all) {
            if (dependencies(r).contains(key)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * The keys {@code r} depends on, as {@link #dependents} matches them: the kind of {@code r}, each reference's
     * namespace or else that of {@code r}, its name (kustomize-controller's and helm-controller's {@code dependsOn}).
     * The applier indexes its informer caches by these ({@code FluxObjectWatcher}), so that an object turning Ready
     * finds its dependents without a scan of every object.
     *
     * @return the dependencies' keys in {@code spec.dependsOn} order; empty without {@code dependsOn}
     */
    public static List<ObjectKey> dependencies(Reconcilable r) {
        if (r.dependsOn() == null) {
            return List.of();
        }
        return r.dependsOn().stream().map(d -> dependencyKey(r.key(), d)).toList();
    }

    private static ObjectKey dependencyKey(ObjectKey dependent, DependencyReference d) {
        return new ObjectKey(dependent.kind(), d.namespaceOr(dependent.namespace()), d.name());
    }

    private static Optional<String> cycle(Reconcilable start, Function<ObjectKey, Optional<Reconcilable>> lookup) {
        ObjectKey origin = start.key();
        Deque<List<ObjectKey>> paths = new ArrayDeque<>();
        paths.push(List.of(origin));
        Set<ObjectKey> seen = new HashSet<>();
        while (!paths.isEmpty()) {
            List<ObjectKey> path = paths.pop();
            ObjectKey last = path.get(path.size() - 1);
            Optional<Reconcilable> r = last.equals(origin) ? Optional.of(start) : lookup.apply(last);
            if (r.isEmpty() || r.get().dependsOn() == null) {
                continue;
            }
            for (DependencyReference d : r.get().dependsOn()) {
                ObjectKey next = dependencyKey(last, d);
                List<ObjectKey> extended = new ArrayList<>(path);
                extended.add(next);
                if (next.equals(origin)) {
                    return Optional.of("dependency cycle: " + String.join(" -> ",
                            extended.stream().map(o -> o.namespace() + "/" + o.name()).toList()));
                }
                if (seen.add(next)) {
                    paths.push(extended);
                }
            }
        }
        return Optional.empty();
    }
}
