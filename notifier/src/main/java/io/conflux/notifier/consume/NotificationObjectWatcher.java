package io.conflux.notifier.consume;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ReceiverStatus;
import io.conflux.notifier.dispatch.NotificationObjects;
import io.conflux.notifier.dispatch.ObjectValidation;
import io.conflux.service.Ownership;
import io.conflux.service.StatusPatcher;
import io.conflux.service.Watches;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Watches {@code Alert}s and {@code Provider}s ({@code notification.toolkit.fluxcd.io/v1beta3}) on the management
 * cluster. Their informer caches are what events are matched against, and each object seen with a spec not yet
 * acknowledged gets a {@code Ready} condition through the status subresource: {@code True}/{@code Succeeded}
 * when the notifier accepts it, {@code False}/{@code ValidationFailed} with the reason otherwise (as Flux's
 * v1beta2 controllers wrote), through service-common's {@link StatusPatcher}. Every replica caches every Alert and
 * Provider (an event may match any of them), but only the replica owning an object's key ({@code Alert/<ns>/<name>},
 * {@code Provider/<ns>/<name>}; {@link Ownership} of the {@code events} partitions) writes its status; a replica
 * newly assigned partitions acknowledges the objects it now owns.
 */
@ApplicationScoped
public class NotificationObjectWatcher {
    private static final Logger LOG = Logger.getLogger(NotificationObjectWatcher.class);
    /** Reason of a {@code Ready=False} condition for an object the notifier cannot use. */
    public static final String VALIDATION_FAILED = "ValidationFailed";

    @Inject
    KubernetesClient client;
    @Inject
    Watches watches;
    @Inject
    NotificationObjects cache;
    @Inject
    StatusPatcher patcher;
    @Inject
    Ownership ownership;

    private SharedIndexInformer<Alert> alerts;
    private SharedIndexInformer<Provider> providers;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conflux-notification-status");
        t.setDaemon(true);
        return t;
    });

    void start(@Observes StartupEvent event) {
        alerts = watches.watch(Alert.class,
                client.resources(Alert.class).inAnyNamespace().runnableInformer(0));
        providers = watches.watch(Provider.class,
                client.resources(Provider.class).inAnyNamespace().runnableInformer(0));
        StatusHandler<Alert> alertStatus = new StatusHandler<>("Alert", ObjectValidation::validate);
        StatusHandler<Provider> providerStatus = new StatusHandler<>("Provider", ObjectValidation::validate);
        alerts.addEventHandler(alertStatus);
        providers.addEventHandler(providerStatus);
        cache.use(alerts.getStore(), providers.getStore());
        // called on the Kafka polling thread: only hand the work over
        ownership.onAssigned(newlyOwned -> worker.execute(() -> {
            cache.alerts().stream().filter(a -> newlyOwned.test(alertStatus.key(a).toString())).forEach(alertStatus::acknowledge);
            cache.providers().stream().filter(p -> newlyOwned.test(providerStatus.key(p).toString())).forEach(providerStatus::acknowledge);
        }));
        CompletableFuture.allOf(alerts.start().toCompletableFuture(), providers.start().toCompletableFuture())
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.error("Alert/Provider informers failed to start", e);
                    } else {
                        LOG.info("watching Alerts and Providers");
                    }
                    cache.synced(e);
                });
    }

    void stop(@Observes ShutdownEvent event) {
        if (alerts != null) {
            alerts.close();
        }
        if (providers != null) {
            providers.close();
        }
        worker.shutdownNow();
    }

    /** Writes {@code Ready} when an object's spec is new to the notifier or its verdict changed. */
    private final class StatusHandler<T extends CustomResource<?, ReceiverStatus>> implements ResourceEventHandler<T> {
        private final String kind;
        private final Function<T, Optional<String>> validation;

        StatusHandler(String kind, Function<T, Optional<String>> validation) {
            this.kind = kind;
            this.validation = validation;
        }

        ObjectKey key(T object) {
            return new ObjectKey(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
        }

        @Override
        public void onAdd(T object) {
            acknowledge(object);
        }

        @Override
        public void onUpdate(T before, T after) {
            acknowledge(after);
        }

        @Override
        public void onDelete(T object, boolean deletedFinalStateUnknown) {
            LOG.debugf("%s deleted", key(object));
        }

        void acknowledge(T object) {
            if (!ownership.owns(key(object))) {
                return;
            }
            Optional<String> problem = validation.apply(object);
            long generation = object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
            boolean ready = problem.isEmpty();
            String reason = ready ? FluxReasons.SUCCEEDED : VALIDATION_FAILED;
            String message = problem.orElse("Initialized");
            List<Condition> current = object.getStatus() == null ? null : object.getStatus().conditions();
            Optional<Condition> readyNow = Conditions.find(current, Condition.READY);
            boolean upToDate = readyNow.isPresent()
                    && Objects.equals(readyNow.get().observedGeneration(), generation)
                    && readyNow.get().isTrue() == ready
                    && Objects.equals(readyNow.get().reason(), reason)
                    && Objects.equals(readyNow.get().message(), message);
            if (upToDate) {
                return;
            }
            List<Condition> conditions = Conditions.set(current, Conditions.ready(ready, generation, reason, message));
            try {
                if (patcher.patch(key(object), Map.of("observedGeneration", generation, "conditions", conditions))) {
                    LOG.infof("%s Ready=%s: %s", key(object), ready, message);
                }
            } catch (KubernetesClientException e) {
                LOG.warnf("cannot write status of %s: %s", key(object), e.getMessage());
            }
        }
    }
}
