package io.conflux.applier.consume;

import io.conflux.applier.audit.CachedFluxObjects;
import io.conflux.applier.reconcile.DependencyCheck;
import io.conflux.applier.reconcile.Reconcilable;
import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.kustomize.KustomizationStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.ObjectKey;
import io.conflux.service.Watches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Watches the management cluster's {@code Kustomization}s and {@code HelmRelease}s: their caches serve the
 * reconciler's lookups, and a Kustomization turning Ready (or applying a new revision while Ready) triggers its
 * dependents at once — the event, not a timer, drives {@code dependsOn}. HelmReleases likewise. Each cache is
 * indexed by the keys its objects depend on ({@value #DEPENDS_ON}), as client-go's indexers serve controller-runtime's
 * field indexes, so finding an object's dependents reads one index entry instead of every cached object (which made
 * N objects turning Ready cost O(N²)).
 */
@ApplicationScoped
public class FluxObjectWatcher implements CachedFluxObjects {
    private static final Logger LOG = Logger.getLogger(FluxObjectWatcher.class);
    /** The caches' index of dependencies: an object under each key ({@code Kind/namespace/name}) it depends on. */
    static final String DEPENDS_ON = "dependsOn";

    @Inject
    KubernetesClient client;
    @Inject
    Watches watches;
    @Inject
    Reconciler reconciler;

    private SharedIndexInformer<Kustomization> kustomizations;
    private SharedIndexInformer<HelmRelease> helmReleases;

    void start(@Observes StartupEvent event) {
        kustomizations = watches.watch(Kustomization.class,
                client.resources(Kustomization.class).inAnyNamespace().runnableInformer(0));
        helmReleases = watches.watch(HelmRelease.class,
                client.resources(HelmRelease.class).inAnyNamespace().runnableInformer(0));
        kustomizations.addIndexers(Map.of(DEPENDS_ON, FluxObjectWatcher::dependencyKeys));
        helmReleases.addIndexers(Map.of(DEPENDS_ON, FluxObjectWatcher::dependencyKeys));
        reconciler.useCaches(key -> lookup(key).flatMap(Reconcilable::of), this::all, this::dependents);
        kustomizations.addEventHandler(new ReadinessHandler<>());
        helmReleases.addEventHandler(new ReadinessHandler<>());
        kustomizations.start();
        helmReleases.start();
        LOG.info("watching Kustomizations and HelmReleases");
    }

    void stop(@Observes ShutdownEvent event) {
        if (kustomizations != null) {
            kustomizations.close();
        }
        if (helmReleases != null) {
            helmReleases.close();
        }
    }

    private Optional<? extends CustomResource<?, ?>> lookup(ObjectKey key) {
        String cacheKey = Cache.namespaceKeyFunc(key.namespace(), key.name());
        return switch (key.kind()) {
            case Kustomization.KIND -> Optional.ofNullable(kustomizations.getStore().getByKey(cacheKey));
            case HelmRelease.KIND -> Optional.ofNullable(helmReleases.getStore().getByKey(cacheKey));
            default -> Optional.empty();
        };
    }

    /** @return the keys {@code o} depends on, as the {@value #DEPENDS_ON} index holds them */
    private static List<String> dependencyKeys(CustomResource<?, ?> o) {
        return Reconcilable.of(o).map(r -> DependencyCheck.dependencies(r).stream().map(ObjectKey::toString).toList())
                .orElse(List.of());
    }

    /** @return the cached objects of {@code key}'s kind that depend on it ({@code dependsOn} is same-kind) */
    private List<Reconcilable> dependents(ObjectKey key) {
        SharedIndexInformer<? extends CustomResource<?, ?>> informer = switch (key.kind()) {
            case Kustomization.KIND -> kustomizations;
            case HelmRelease.KIND -> helmReleases;
            default -> null;
        };
        if (informer == null) {
            return List.of();
        }
        List<Reconcilable> out = new ArrayList<>();
        informer.getIndexer().byIndex(DEPENDS_ON, key.toString()).forEach(o -> Reconcilable.of(o).ifPresent(out::add));
        return out;
    }

    /** Serves Kustomizations and HelmReleases; every other kind is empty (not cached here). */
    @Override
    public Optional<List<? extends HasMetadata>> cached(String kind) {
        SharedIndexInformer<? extends CustomResource<?, ?>> informer = switch (kind) {
            case Kustomization.KIND -> kustomizations;
            case HelmRelease.KIND -> helmReleases;
            default -> null;
        };
        if (informer == null || !informer.hasSynced()) {
            return Optional.empty();
        }
        return Optional.of(informer.getStore().list());
    }

    private List<Reconcilable> all() {
        List<Reconcilable> out = new ArrayList<>();
        kustomizations.getStore().list().forEach(k -> Reconcilable.of(k).ifPresent(out::add));
        helmReleases.getStore().list().forEach(h -> Reconcilable.of(h).ifPresent(out::add));
        return out;
    }

    /**
     * Calls {@link Reconciler#onObserved} for every object listed or created (one being deleted at start-up is
     * finalized by that run), {@link Reconciler#onDeleting} when an object gets its {@code deletionTimestamp},
     * {@link Reconciler#onReady} when an object turns Ready or applies a new revision while Ready, and
     * {@link Reconciler#onDeleted} when it is gone.
     */
    private final class ReadinessHandler<T extends CustomResource<?, KustomizationStatus>> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T o) {
            reconciler.onObserved(keyOf(o));
            if (ready(o)) {
                reconciler.onReady(keyOf(o));
            }
        }

        @Override
        public void onUpdate(T before, T after) {
            if (after.getMetadata().getDeletionTimestamp() != null && before.getMetadata().getDeletionTimestamp() == null) {
                reconciler.onDeleting(keyOf(after));
                return;
            }
            if (ready(after) && (!ready(before) || !Objects.equals(appliedRevision(before), appliedRevision(after)))) {
                reconciler.onReady(keyOf(after));
            }
        }

        @Override
        public void onDelete(T o, boolean deletedFinalStateUnknown) {
            Reconcilable.of(o).ifPresent(reconciler::onDeleted);
        }

        private boolean ready(T o) {
            return o.getStatus() != null && Conditions.isReady(o.getStatus().conditions(), o.getMetadata().getGeneration());
        }

        private String appliedRevision(T o) {
            // a HelmRelease's v2 status has no lastAppliedRevision: the view reads Flux's fields of each kind
            return Reconcilable.of(o).map(Reconcilable::appliedRevision).orElse(null);
        }

        private ObjectKey keyOf(T o) {
            return new ObjectKey(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
        }
    }
}
