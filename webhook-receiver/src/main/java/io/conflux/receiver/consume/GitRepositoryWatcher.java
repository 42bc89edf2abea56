package io.conflux.receiver.consume;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.PollScheduler;
import io.conflux.receiver.decide.SourceCache;
import io.conflux.receiver.decide.SourceStatus;
import io.conflux.service.Watches;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Watches the management cluster's {@code GitRepository}s ({@code source.toolkit.fluxcd.io/v1}, all namespaces):
 * a new one or a spec change ({@code metadata.generation}) is polled at once, a changed
 * {@code reconcile.fluxcd.io/requestedAt} annotation ({@code flux reconcile source git}) too, with trigger
 * {@code manual}; a deleted one stops being polled. Every replica watches every GitRepository (its store is the
 * {@link SourceCache}, which the webhook selection reads), but only the replica owning an object's key reconciles it:
 * {@link PollScheduler#pollNow} ignores the others.
 */
@ApplicationScoped
public class GitRepositoryWatcher {
    private static final Logger LOG = Logger.getLogger(GitRepositoryWatcher.class);

    @Inject
    KubernetesClient client;
    @Inject
    Watches watches;
    @Inject
    SourceCache cache;
    @Inject
    PollScheduler scheduler;

    private SharedIndexInformer<GitRepository> informer;

    void start(@Observes StartupEvent event) {
        informer = watches.watch(GitRepository.class,
                client.resources(GitRepository.class).inAnyNamespace().runnableInformer(0));
        cache.use(informer.getStore());
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(GitRepository g) {
                scheduler.pollNow(SourceCache.keyOf(g), Trigger.POLL, null);
            }

            @Override
            public void onUpdate(GitRepository before, GitRepository after) {
                if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
                    scheduler.pollNow(SourceCache.keyOf(after), Trigger.POLL, null);
                } else if (!Objects.equals(requestedAt(before), requestedAt(after)) && requestedAt(after) != null) {
                    scheduler.pollNow(SourceCache.keyOf(after), Trigger.MANUAL, null);
                }
            }

            @Override
            public void onDelete(GitRepository g, boolean deletedFinalStateUnknown) {
                ObjectKey key = SourceCache.keyOf(g);
                scheduler.cancel(key);
                LOG.infof("%s deleted", key);
            }
        });
        informer.start();
        LOG.info("watching GitRepositories");
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
    }

    private static String requestedAt(GitRepository g) {
        Map<String, String> annotations = g.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(SourceStatus.REQUESTED_AT);
    }
}
