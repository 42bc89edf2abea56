package io.conflux.notifier.consume;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ReceiverStatus;
import io.conflux.notifier.dispatch.ObjectValidation;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Watches {@code Alert}s and {@code Provider}s ({@code notification.toolkit.fluxcd.io/v1beta3}) on the management
 * cluster. Their informer caches are what events are matched against, and each object seen with a spec not yet
 * acknowledged gets a {@code Ready} condition through the status subresource: {@code True}/{@code Succeeded}
 * when the notifier accepts it, {@code False}/{@code ValidationFailed} with the reason otherwise (as Flux's
 * v1beta2 controllers wrote).
 */
@ApplicationScoped
public class NotificationObjectWatcher {
    private static final Logger LOG = Logger.getLogger(NotificationObjectWatcher.class);
    /** Reason of a {@code Ready=False} condition for an object the notifier cannot use. */
    public static final String VALIDATION_FAILED = "ValidationFailed";

    @Inject
    KubernetesClient client;

    private SharedIndexInformer<Alert> alerts;
    private SharedIndexInformer<Provider> providers;
    private final CompletableFuture<Void> synced = new CompletableFuture<>();

    void start(@Observes StartupEvent event) {
        alerts = client.resources(Alert.class).inAnyNamespace().runnableInformer(0);
        providers = client.resources(Provider.class).inAnyNamespace().runnableInformer(0);
        alerts.addEventHandler(new StatusHandler<>(Alert.class, ObjectValidation::validate));
        providers.addEventHandler(new StatusHandler<>(Provider.class, ObjectValidation::validate));
        CompletableFuture.allOf(alerts.start().toCompletableFuture(), providers.start().toCompletableFuture())
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.error("Alert/Provider informers failed to start", e);
                        synced.completeExceptionally(e);
                    } else {
                        LOG.info("watching Alerts and Providers");
                        synced.complete(null);
                    }
                });
    }

    void stop(@Observes ShutdownEvent event) {
        if (alerts != null) {
            alerts.close();
        }
        if (providers != null) {
            providers.close();
        }
    }

    /** @return completes once both caches hold the cluster's Alerts and Providers */
    public CompletionStage<Void> synced() {
        return synced;
    }

    /** @return every Alert in the cache */
    public List<Alert> alerts() {
        return alerts.getStore().list();
    }

    /** @return the Provider {@code namespace/name} from the cache */
    public Optional<Provider> provider(String namespace, String name) {
        return Optional.ofNullable(providers.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name)));
    }

    /** Writes {@code Ready} when an object's spec is new to the notifier or its verdict changed. */
    private final class StatusHandler<T extends CustomResource<?, ReceiverStatus>> implements ResourceEventHandler<T> {
        private final Class<T> type;
        private final Function<T, Optional<String>> validation;

        StatusHandler(Class<T> type, Function<T, Optional<String>> validation) {
            this.type = type;
            this.validation = validation;
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
            LOG.debugf("%s %s/%s deleted", type.getSimpleName(), object.getMetadata().getNamespace(),
                    object.getMetadata().getName());
        }

        private void acknowledge(T object) {
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
            String body = Serialization.asJson(Map.of("status", Map.of("observedGeneration", generation,
                    "conditions", conditions)));
            try {
                client.resources(type).inNamespace(object.getMetadata().getNamespace())
                        .withName(object.getMetadata().getName()).subresource("status")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), body);
                LOG.infof("%s %s/%s Ready=%s: %s", type.getSimpleName(), object.getMetadata().getNamespace(),
                        object.getMetadata().getName(), ready, message);
            } catch (KubernetesClientException e) {
                LOG.warnf("cannot write status of %s %s/%s: %s", type.getSimpleName(),
                        object.getMetadata().getNamespace(), object.getMetadata().getName(), e.getMessage());
            }
        }
    }
}
