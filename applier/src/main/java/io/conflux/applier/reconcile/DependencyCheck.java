package io.conflux.applier.reconcile;

import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.DependencyReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.kustomize.Kustomization;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Flux's {@code dependsOn} gate: a Kustomization may be applied only when every dependency exists, is
 * {@code Ready=True} for its current generation and has applied the revision it last attempted
 * (kustomize-controller's {@code checkDependencies}). Conflux also reports dependency cycles instead of
 * waiting on them forever.
 */
public final class DependencyCheck {
    private DependencyCheck() {
    }

    /**
     * @param k      the Kustomization
     * @param lookup finds a Kustomization by key in the watched cache
     * @return empty when all dependencies are ready, else the message for {@code Ready=False DependencyNotReady}
     */
    public static Optional<String> blocking(Kustomization k, Function<ObjectKey, Optional<Kustomization>> lookup) {
        List<DependencyReference> deps = k.getSpec().dependsOn();
        if (deps == null || deps.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> cycle = cycle(k, lookup);
        if (cycle.isPresent()) {
            return cycle;
        }
        for (DependencyReference d : deps) {
            ObjectKey key = new ObjectKey(Kustomization.KIND, d.namespaceOr(k.getMetadata().getNamespace()), d.name());
            Optional<Kustomization> dep = lookup.apply(key);
            if (dep.isEmpty()) {
                return Optional.of("unable to get '" + key.namespace() + "/" + key.name() + "' dependency: not found");
            }
            Kustomization dk = dep.get();
            boolean ready = dk.getStatus() != null
                    && Conditions.isReady(dk.getStatus().conditions(), dk.getMetadata().getGeneration())
                    && (dk.getStatus().lastAttemptedRevision() == null
                    || dk.getStatus().lastAttemptedRevision().equals(dk.getStatus().lastAppliedRevision()));
            if (!ready) {
                return Optional.of("dependency '" + key.namespace() + "/" + key.name() + "' is not ready");
            }
        }
        return Optional.empty();
    }

    /** @return the dependents of {@code key} among {@code all} (those listing it in dependsOn) */
    public static List<Kustomization> dependents(ObjectKey key, List<Kustomization> all) {
        List<Kustomization> out = new ArrayList<>();
        for (Kustomization k : all) {
            if (k.getSpec().dependsOn() != null && k.getSpec().dependsOn().stream().anyMatch(d ->
                    d.name().equals(key.name()) && d.namespaceOr(k.getMetadata().getNamespace()).equals(key.namespace()))) {
                out.add(k);
            }
        }
        return out;
    }

    private static Optional<String> cycle(Kustomization start, Function<ObjectKey, Optional<Kustomization>> lookup) {
        ObjectKey origin = key(start);
        Deque<List<ObjectKey>> paths = new ArrayDeque<>();
        paths.push(List.of(origin));
        Set<ObjectKey> seen = new HashSet<>();
        while (!paths.isEmpty()) {
            List<ObjectKey> path = paths.pop();
            ObjectKey last = path.get(path.size() - 1);
            Optional<Kustomization> k = last.equals(origin) ? Optional.of(start) : lookup.apply(last);
            if (k.isEmpty() || k.get().getSpec().dependsOn() == null) {
                continue;
            }
            for (DependencyReference d : k.get().getSpec().dependsOn()) {
                ObjectKey next = new ObjectKey(Kustomization.KIND, d.namespaceOr(last.namespace()), d.name());
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

    private static ObjectKey key(Kustomization k) {
        return new ObjectKey(Kustomization.KIND, k.getMetadata().getNamespace(), k.getMetadata().getName());
    }
}
