package io.conflux.notifier.consume;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.dispatch.InvalidConfigEvents;
import io.conflux.notifier.dispatch.NotificationObjects;
import io.conflux.notifier.dispatch.ObjectValidation;
import io.conflux.notifier.dispatch.ProviderResolver;
import io.conflux.notifier.persist.UnsupportedFieldReports;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Retrying;
import io.conflux.service.Watches;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Watches {@code Alert}s and {@code Provider}s ({@code notification.toolkit.fluxcd.io/v1beta3}) on the management
 * cluster. Their informer caches are what events are matched against. Flux's v1beta3 Providers and Alerts have no
 * status (notification-controller made them static objects in Flux 2.1; their CRD schema has no {@code status}, so
 * the API server would prune one): nothing is written on them. An object the notifier cannot use — unknown or
 * unsupported provider type, a referenced Secret missing or unusable, an address that is not an http(s) URL, a bad
 * timeout, a bad regular expression, no event source — is reported as notification-controller reports it: a
 * {@code Warning} Kubernetes Event on the object, reason {@code InvalidConfig} ({@link InvalidConfigEvents}),
 * published once per object generation through the notifier's outbox onto {@code conflux.events} (the notifier's
 * Kubernetes Event writer makes it the Event), and a warning in the log. {@code conflux check} lists those Events.
 * Every replica caches every Alert and Provider (an event may match any of them), but only the replica owning an
 * object's key ({@code Alert/<ns>/<name>}, {@code Provider/<ns>/<name>}; {@link Ownership} of the {@code events}
 * partitions) checks it; a replica newly assigned partitions checks the objects it now owns. Every
 * {@code conflux.notifier.invalid-config-recheck} the owned objects are checked again: one usable now (the Secret it
 * lacked created) has its {@code InvalidConfig} Warning Events deleted, so {@code conflux check} lists only current
 * problems.
 */
@ApplicationScoped
public class NotificationObjectWatcher {
    private static final Logger LOG = Logger.getLogger(NotificationObjectWatcher.class);

    @Inject
    KubernetesClient client;
    @Inject
    Watches watches;
    @Inject
    NotificationObjects cache;
    @Inject
    ProviderResolver resolver;
    @Inject
    UnsupportedFieldReports reports;
    @Inject
    ReactiveRunner runner;
    @Inject
    Retrying retrying;
    @Inject
    Ownership ownership;

    private final String instance = "conflux-notifier-" + UUID.randomUUID().toString().substring(0, 8);
    private SharedIndexInformer<Alert> alerts;
    private SharedIndexInformer<Provider> providers;
    @Inject
    io.conflux.notifier.dispatch.NotifierConfig config;

    private java.util.concurrent.ScheduledExecutorService recheck;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "conflux-notification-objects");
        t.setDaemon(true);
        return t;
    });

    void start(@Observes StartupEvent event) {
        alerts = watches.watch(Alert.class,
                client.resources(Alert.class).inAnyNamespace().runnableInformer(0));
        providers = watches.watch(Provider.class,
                client.resources(Provider.class).inAnyNamespace().runnableInformer(0));
        Checker<Alert> alertCheck = new Checker<>("Alert", ObjectValidation::validate);
        Checker<Provider> providerCheck = new Checker<>("Provider", this::validate);
        alerts.addEventHandler(alertCheck);
        providers.addEventHandler(providerCheck);
        cache.use(alerts.getStore(), providers.getStore());
        // called on the Kafka polling thread: only hand the work over
        ownership.onAssigned(newlyOwned -> worker.execute(() -> {
            cache.alerts().stream().filter(a -> newlyOwned.test(alertCheck.key(a).toString())).forEach(alertCheck::check);
            cache.providers().stream().filter(p -> newlyOwned.test(providerCheck.key(p).toString())).forEach(providerCheck::check);
        }));
        java.time.Duration every = config.invalidConfigRecheck();
        if (!every.isZero() && !every.isNegative()) {
            recheck = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "conflux-notification-recheck");
                t.setDaemon(true);
                return t;
            });
            // hand each round to the worker, where every check runs, one at a time
            recheck.scheduleWithFixedDelay(() -> worker.execute(() -> {
                cache.alerts().forEach(alertCheck::check);
                cache.providers().forEach(providerCheck::check);
            }), every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
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
        if (recheck != null) {
            recheck.shutdownNow();
        }
        worker.shutdownNow();
    }

    /**
     * An object usable (again): deletes its {@code InvalidConfig} Warning Events, which no longer hold, and forgets
     * its report so that a later problem of the same generation is reported. Failures are logged; the next check
     * tries again.
     */
    private void clearInvalidConfig(ObjectKey key, HasMetadata object) {
        String uid = object.getMetadata().getUid();
        try {
            var events = client.genericKubernetesResources("events.k8s.io/v1", "Event")
                    .inNamespace(object.getMetadata().getNamespace());
            for (String name : InvalidConfigEvents.superseded(events.list().getItems(), uid)) {
                events.withName(name).delete();
                LOG.infof("%s is usable now: %s Event %s deleted", key, InvalidConfigEvents.REASON, name);
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot delete the %s Events of %s: %s", InvalidConfigEvents.REASON, key, e.getMessage());
        }
        retrying.untilDone(() -> runner.run(blocking -> reports.forget(key + "#" + InvalidConfigEvents.REASON)),
                        () -> ownership.owns(key))
                .subscribe().with(forgotten -> { },
                        failure -> LOG.warnf("cannot forget the %s report of %s: %s", InvalidConfigEvents.REASON, key,
                                failure.getMessage()));
    }

    /** The spec checks, then the Provider resolved with its Secrets (missing Secret, bad key) and its address. */
    private Optional<String> validate(Provider provider) {
        Optional<String> problem = ObjectValidation.validate(provider);
        if (problem.isPresent()) {
            return problem;
        }
        try {
            return ObjectValidation.validate(resolver.resolve(provider));
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot check the Secrets of Provider %s/%s: %s", provider.getMetadata().getNamespace(),
                    provider.getMetadata().getName(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Checks an object when its spec is new to the notifier, and reports it when it cannot be used. */
    private final class Checker<T extends HasMetadata> implements ResourceEventHandler<T> {
        private final String kind;
        private final Function<T, Optional<String>> validation;

        Checker(String kind, Function<T, Optional<String>> validation) {
            this.kind = kind;
            this.validation = validation;
        }

        ObjectKey key(T object) {
            return new ObjectKey(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
        }

        @Override
        public void onAdd(T object) {
            worker.execute(() -> check(object));
        }

        @Override
        public void onUpdate(T before, T after) {
            if (!Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
                worker.execute(() -> check(after));
            }
        }

        @Override
        public void onDelete(T object, boolean deletedFinalStateUnknown) {
            LOG.debugf("%s deleted", key(object));
        }

        void check(T object) {
            ObjectKey key = key(object);
            if (!ownership.owns(key)) {
                return;
            }
            Optional<String> problem = validation.apply(object);
            if (problem.isEmpty()) {
                LOG.debugf("%s accepted", key);
                clearInvalidConfig(key, object);
                return;
            }
            long generation = object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
            LOG.warnf("%s generation %d cannot be used (%s): %s", key, generation, InvalidConfigEvents.REASON,
                    problem.get());
            FluxEvent event = InvalidConfigEvents.of(object, problem.get(), instance);
            String uid = String.valueOf(object.getMetadata().getUid());
            retrying.untilDone(() -> runner.run(blocking -> reports.reportOnce(key + "#" + InvalidConfigEvents.REASON,
                            key.toString(), uid, generation, event)), () -> ownership.owns(key))
                    .subscribe().with(published -> LOG.debugf("%s %s event published: %s", key,
                            InvalidConfigEvents.REASON, published),
                            failure -> LOG.warnf("cannot report %s of %s: %s", InvalidConfigEvents.REASON, key,
                                    failure.getMessage()));
        }
    }
}
