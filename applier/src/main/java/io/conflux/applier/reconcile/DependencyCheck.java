package io.conflux.applier.reconcile;

import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.DependencyReference;
import io.conflux.model.meta.ObjectKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
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
 */
public final class DependencyCheck {
    private DependencyCheck() {
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
        for (DependencyReference d : deps) {
            ObjectKey key = dependencyKey(r.key(), d);
            Optional<Reconcilable> dep = lookup.apply(key);
            if (dep.isEmpty()) {
                return Optional.of("unable to get '" + key.namespace() + "/" + key.name() + "' dependency: not found");
            }
            var status = dep.get().status();
            boolean ready = status != null
                    && Conditions.isReady(status.conditions(), dep.get().generation())
                    && (status.lastAttemptedRevision() == null
                    || status.lastAttemptedRevision().equals(status.lastAppliedRevision()));
            if (!ready) {
                return Optional.of("dependency '" + key.namespace() + "/" + key.name() + "' is not ready");
            }
            Optional<String> source = r.source();
            if (revision != null && source.isPresent() && source.equals(dep.get().source())
                    && !revision.equals(status.lastAppliedRevision())) {
                return Optional.of("dependency '" + key.namespace() + "/" + key.name() + "' revision is not up to date");
            }
        }
        return Optional.empty();
    }

    /** @return the objects among {@code all} that list {@code key} in their dependsOn */
    public static List<Reconcilable> dependents(ObjectKey key, List<Reconcilable> all) {
        List<Reconcilable> out = new ArrayList<>();
        for (Reconcilable r : all) {
            if (r.dependsOn() != null && r.dependsOn().stream().anyMatch(d -> dependencyKey(r.key(), d).equals(key))) {
                out.add(r);
            }
        }
        return out;
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
