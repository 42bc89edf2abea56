package io.conflux.receiver.consume;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.ArtifactSourceCache;
import io.conflux.receiver.decide.PollScheduler;
import io.conflux.receiver.decide.SourceStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Watches the management cluster's {@code OCIRepository}s and {@code Bucket}s ({@code source.toolkit.fluxcd.io/v1},
 * all namespaces), as {@link GitRepositoryWatcher} does GitRepositories: a new one or a spec change is polled at once,
 * a changed {@code reconcile.fluxcd.io/requestedAt} too (trigger {@code manual}); a deleted one stops being polled.
 * Every replica keeps the {@link ArtifactSourceCache}; only the owner of a key polls it ({@link PollScheduler#pollNow}).
 */
@ApplicationScoped
public class ArtifactSourceWatcher {
    private static final Logger LOG = Logger.getLogger(ArtifactSourceWatcher.class);

    @Inject
    KubernetesClient client;
    @Inject
    ArtifactSourceCache cache;
    @Inject
    PollScheduler scheduler;

    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    void start(@Observes StartupEvent event) {
        SharedIndexInformer<OCIRepository> oci = client.resources(OCIRepository.class).inAnyNamespace().runnableInformer(0);
        cache.useOciRepositories(oci.getStore());
        oci.addEventHandler(new Handler<>());
        SharedIndexInformer<Bucket> buckets = client.resources(Bucket.class).inAnyNamespace().runnableInformer(0);
        cache.useBuckets(buckets.getStore());
        buckets.addEventHandler(new Handler<>());
        informers.add(oci);
        informers.add(buckets);
        // a cluster without the CRDs (deploy/crds before they ship) fails the first list: reported, the service runs on
        oci.start().whenComplete((v, e) -> started("OCIRepositories", e));
        buckets.start().whenComplete((v, e) -> started("Buckets", e));
    }

    private static void started(String what, Throwable failure) {
        if (failure == null) {
            LOG.infof("watching %s", what);
        } else {
            LOG.warnf("not watching %s (is their CRD installed?): %s", what, failure.toString());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        informers.forEach(SharedIndexInformer::close);
    }

    private final class Handler<T extends HasMetadata> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T source) {
            scheduler.pollNow(ArtifactSourceCache.keyOf(source), Trigger.POLL, null);
        }

        @Override
        public void onUpdate(T before, T after) {
            if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
                scheduler.pollNow(ArtifactSourceCache.keyOf(after), Trigger.POLL, null);
            } else if (!Objects.equals(requestedAt(before), requestedAt(after)) && requestedAt(after) != null) {
                scheduler.pollNow(ArtifactSourceCache.keyOf(after), Trigger.MANUAL, null);
            }
        }

        @Override
        public void onDelete(T source, boolean deletedFinalStateUnknown) {
            ObjectKey key = ArtifactSourceCache.keyOf(source);
            scheduler.cancel(key);
            LOG.infof("%s deleted", key);
        }
    }

    private static String requestedAt(HasMetadata o) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(SourceStatus.REQUESTED_AT);
    }
}
