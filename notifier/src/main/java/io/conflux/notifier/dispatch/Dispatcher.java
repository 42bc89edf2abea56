package io.conflux.notifier.dispatch;

import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.consume.NotificationObjectWatcher;
import io.conflux.notifier.deliver.DeliveryOutcome;
import io.conflux.notifier.deliver.HttpDelivery;
import io.conflux.notifier.deliver.Notifiers;
import io.conflux.notifier.deliver.OutgoingRequest;
import io.conflux.notifier.deliver.ProviderEndpoint;
import io.conflux.notifier.deliver.ProviderRateLimiter;
import io.conflux.notifier.deliver.RetryPolicy;
import io.conflux.notifier.match.AlertMatcher;
import io.conflux.notifier.match.NotificationEvent;
import io.conflux.notifier.persist.DeliveryRecord;
import io.conflux.notifier.persist.DeliveryStore;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * What happens to one event of {@code conflux.events}: it is recorded as received, matched against the cached
 * Alerts ({@link AlertMatcher}), prepared per Alert ({@link NotificationEvent#forAlert}) and sent to each Alert's
 * Provider — unless the same event was already sent for that Alert within the duplicate window — with retries
 * and per-Provider spacing; every delivery is recorded. The returned Uni completes once all deliveries are
 * recorded, and fails with {@link DeliveryFailedException} when one exhausted its retries, so the Kafka offset is
 * committed only after the records are durable and a failed event lands in the dead-letter topic.
 */
@ApplicationScoped
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    @Inject
    ReactiveRunner runner;
    @Inject
    NotificationObjectWatcher objects;
    @Inject
    ProviderResolver resolver;
    @Inject
    DeliveryStore store;
    @Inject
    KubernetesClient client;
    @Inject
    NotifierConfig config;

    private Notifiers notifiers;
    private HttpDelivery http;
    private ProviderRateLimiter limiter;

    @PostConstruct
    void init() {
        notifiers = new Notifiers(config.slack().iconUrl());
        http = new HttpDelivery(new RetryPolicy(config.retry().maxAttempts(), config.retry().initialBackoff(),
                config.retry().maxBackoff()), config.connectTimeout());
        limiter = new ProviderRateLimiter(config.providerMinInterval());
    }

    /**
     * @param partition Kafka partition of the record
     * @param offset    Kafka offset of the record
     * @param event     the event
     * @return completes when every delivery is recorded; fails with {@link DeliveryFailedException} when one
     *         could not be delivered, or with the persistence failure
     */
    public Uni<Void> onEvent(int partition, long offset, FluxEvent event) {
        if (event == null || event.involvedObject() == null) {
            LOG.warnf("ignoring record %d/%d without an involved object", partition, offset);
            return Uni.createFrom().voidItem();
        }
        return runner.run(blocking -> {
            Context context = Vertx.currentContext();
            Executor onContext = command -> context.runOnContext(v -> command.run());
            return store.recordReceived(partition, offset, event)
                    .chain(() -> Uni.createFrom().completionStage(objects.synced()).emitOn(onContext))
                    .chain(() -> blocking.call(() -> AlertMatcher.matching(event, objects.alerts(), this::labels)))
                    .chain(alerts -> {
                        if (alerts.isEmpty()) {
                            LOG.debugf("no Alert for %s", objectKey(event));
                            return Uni.createFrom().voidItem();
                        }
                        return Multi.createFrom().iterable(alerts)
                                .onItem().transformToUniAndConcatenate(alert -> deliver(event, alert, blocking, onContext))
                                .collect().asList()
                                .chain(failures -> fail(event, failures));
                    });
        });
    }

    private static Uni<Void> fail(FluxEvent event, List<Optional<String>> results) {
        List<String> failures = results.stream().flatMap(Optional::stream).toList();
        if (failures.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().failure(new DeliveryFailedException(
                "event for " + objectKey(event) + " not delivered: " + String.join("; ", failures)));
    }

    /** @return empty when done (sent, duplicate, skipped), or the reason an exhausted delivery failed */
    private Uni<Optional<String>> deliver(FluxEvent event, Alert alert, ReactiveRunner.Blocking blocking,
                                          Executor onContext) {
        String alertKey = alert.getMetadata().getNamespace() + "/" + alert.getMetadata().getName();
        String providerName = alert.getSpec().providerRef() == null ? null : alert.getSpec().providerRef().name();
        if (providerName == null) {
            return unusable(event, alertKey, "", null, "Alert " + alertKey + " has no spec.providerRef.name");
        }
        Optional<Provider> provider = objects.provider(alert.getMetadata().getNamespace(), providerName)
                .filter(p -> p.getSpec() != null);
        String providerKey = alert.getMetadata().getNamespace() + "/" + providerName;
        if (provider.isEmpty()) {
            return unusable(event, alertKey, providerKey, null, "Provider " + providerKey + " not found");
        }
        if (Boolean.TRUE.equals(provider.get().getSpec().suspend())) {
            LOG.debugf("Provider %s is suspended", providerKey);
            return Uni.createFrom().item(Optional.empty());
        }
        String type = provider.get().getSpec().type();
        FluxEvent notification = NotificationEvent.forAlert(event, alert.getSpec());
        return blocking.call(() -> {
                    ProviderEndpoint endpoint = resolver.resolve(provider.get());
                    return new Prepared(endpoint, notifiers.request(endpoint, notification));
                })
                .onFailure(IllegalArgumentException.class).recoverWithItem(e -> new Prepared(null, null, e.getMessage()))
                .chain(prepared -> {
                    if (prepared.problem() != null) {
                        return unusable(event, alertKey, providerKey, type, prepared.problem());
                    }
                    if (prepared.request().isEmpty()) {
                        LOG.debugf("Provider %s (%s) does not send this event of %s", providerKey, type, objectKey(event));
                        return Uni.createFrom().item(Optional.<String>empty());
                    }
                    return sendOnce(event, alertKey, providerKey, type, prepared.endpoint(), prepared.request().get(),
                            onContext);
                });
    }

    private Uni<Optional<String>> sendOnce(FluxEvent event, String alertKey, String providerKey, String type,
                                           ProviderEndpoint endpoint, OutgoingRequest request, Executor onContext) {
        String eventKey = NotificationEvent.duplicateKey(event);
        OffsetDateTime since = OffsetDateTime.now(ZoneOffset.UTC).minus(config.duplicateWindow());
        return store.latestLive(eventKey, alertKey, since).chain(existing -> {
            if (existing.isPresent() && DeliveryRecord.SENT.equals(existing.get().status)) {
                LOG.infof("not resending %s to %s for Alert %s: sent at %s", objectKey(event), providerKey, alertKey,
                        existing.get().updatedAt);
                return store.insert(record(event, eventKey, alertKey, providerKey, type, DeliveryRecord.DUPLICATE, null))
                        .replaceWith(Optional.<String>empty());
            }
            Uni<DeliveryRecord> pending = existing.isPresent()
                    ? Uni.createFrom().item(existing.get()) // interrupted before its outcome was recorded: resend
                    : store.insert(record(event, eventKey, alertKey, providerKey, type, DeliveryRecord.PENDING, null));
            return pending.chain(row -> limiter.acquire(providerKey)
                    .chain(() -> http.send(endpoint, request))
                    .emitOn(onContext)
                    .chain(outcome -> finish(row, outcome, event, providerKey)));
        });
    }

    private Uni<Optional<String>> finish(DeliveryRecord row, DeliveryOutcome outcome, FluxEvent event,
                                         String providerKey) {
        String status = outcome.delivered() ? DeliveryRecord.SENT : DeliveryRecord.FAILED;
        if (outcome.delivered()) {
            LOG.infof("sent %s event of %s to %s (%d attempt(s))", event.reason(), objectKey(event), providerKey,
                    outcome.attempts());
        } else {
            LOG.warnf("failed to send %s event of %s to %s after %d attempt(s): %s", event.reason(), objectKey(event),
                    providerKey, outcome.attempts(), outcome.error());
        }
        return store.finish(row.id, status, outcome.attempts(), outcome.statusCode(), outcome.error())
                .replaceWith(outcome.delivered() ? Optional.<String>empty()
                        : Optional.of(providerKey + ": " + outcome.error()));
    }

    /** Records a delivery that could not even be attempted (configuration problem); not a dead letter. */
    private Uni<Optional<String>> unusable(FluxEvent event, String alertKey, String providerKey, String type,
                                           String problem) {
        LOG.errorf("cannot notify Alert %s of %s: %s", alertKey, objectKey(event), problem);
        DeliveryRecord row = record(event, NotificationEvent.duplicateKey(event), alertKey, providerKey, type,
                DeliveryRecord.FAILED, problem);
        return store.insert(row).replaceWith(Optional.<String>empty());
    }

    private static DeliveryRecord record(FluxEvent event, String eventKey, String alertKey, String providerKey,
                                         String type, String status, String error) {
        DeliveryRecord row = new DeliveryRecord();
        row.eventKey = eventKey;
        row.objectKey = objectKey(event);
        row.reason = event.reason();
        row.message = event.message();
        row.revision = NotificationEvent.revision(event);
        row.alert = alertKey;
        row.provider = providerKey;
        row.providerType = type;
        row.status = status;
        row.attempts = 0;
        row.lastError = error;
        return row;
    }

    /** Reads an involved object's labels from the management cluster (blocking). */
    private Optional<Map<String, String>> labels(FluxEvent.InvolvedObject object) {
        String apiVersion = NotificationEvent.apiVersion(object);
        if (apiVersion == null) {
            return Optional.empty();
        }
        try {
            GenericKubernetesResource resource = client.genericKubernetesResources(apiVersion, object.kind())
                    .inNamespace(object.namespace()).withName(object.name()).get();
            if (resource == null) {
                return Optional.empty();
            }
            Map<String, String> labels = resource.getMetadata().getLabels();
            return Optional.of(labels == null ? Map.of() : labels);
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot read %s %s/%s: %s", object.kind(), object.namespace(), object.name(), e.getMessage());
            return Optional.empty();
        }
    }

    private static String objectKey(FluxEvent event) {
        FluxEvent.InvolvedObject o = event.involvedObject();
        return o.kind() + "/" + o.namespace() + "/" + o.name();
    }

    private record Prepared(ProviderEndpoint endpoint, Optional<OutgoingRequest> request, String problem) {
        Prepared(ProviderEndpoint endpoint, Optional<OutgoingRequest> request) {
            this(endpoint, request, null);
        }
    }
}
