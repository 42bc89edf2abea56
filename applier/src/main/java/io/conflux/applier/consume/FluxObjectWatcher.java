package io.conflux.applier.consume;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.ObjectKey;
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
 * dependents at once — the event, not a timer, drives {@code dependsOn}.
 */
@ApplicationScoped
public class FluxObjectWatcher {
    private static final Logger LOG = Logger.getLogger(FluxObjectWatcher.class);

    @Inject
    KubernetesClient client;
    @Inject
    Reconciler reconciler;

    private SharedIndexInformer<Kustomization> kustomizations;
    private SharedIndexInformer<HelmRelease> helmReleases;

    void start(@Observes StartupEvent event) {
        kustomizations = client.resources(Kustomization.class).inAnyNamespace().runnableInformer(0);
        helmReleases = client.resources(HelmRelease.class).inAnyNamespace().inform();
        reconciler.useCaches(this::lookup, () -> kustomizations.getStore().list());
        kustomizations.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Kustomization k) {
                if (ready(k)) {
                    reconciler.onReady(keyOf(k));
                }
            }

            @Override
            public void onUpdate(Kustomization before, Kustomization after) {
                boolean becameReady = ready(after) && (!ready(before)
                        || !Objects.equals(appliedRevision(before), appliedRevision(after)));
                if (becameReady) {
                    reconciler.onReady(keyOf(after));
                }
            }

            @Override
            public void onDelete(Kustomization k, boolean deletedFinalStateUnknown) {
                LOG.infof("%s deleted", keyOf(k));
            }
        });
        kustomizations.start();
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

    private static boolean ready(Kustomization k) {
        return k.getStatus() != null && Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration());
    }

    private static String appliedRevision(Kustomization k) {
        return k.getStatus() == null ? null : k.getStatus().lastAppliedRevision();
    }

    private static ObjectKey keyOf(Kustomization k) {
        return new ObjectKey(Kustomization.KIND, k.getMetadata().getNamespace(), k.getMetadata().getName());
    }
}
