package io.conflux.notifier.dispatch;

import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.topic.FluxEvent;
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
import io.conflux.service.PipelineMetrics;
import io.conflux.service.Tracing;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * What happens to one event of {@code conflux.events}: it is recorded as received, matched against the cached
 * Alerts ({@link AlertMatcher}), prepared per Alert ({@link NotificationEvent#forAlert}) and sent to each Alert's
 * Provider with retries and per-Provider spacing — exactly once per {@link NotificationEvent#identity identity} and
 * Alert, as {@link DeliveryDecision} decides under a lock of the pair; every delivery is recorded. The returned Uni
 * completes once all deliveries are final and recorded (sent, duplicate, refused by the Provider, Provider unusable),
 * so the Kafka offset is committed only after the records are durable; it fails with {@link NotYetDeliveredException}
 * (transient, retried by the handler, never dead-lettered) while a Provider is unavailable or the notification is in
 * flight in another process. Each Alert's delivery is one span {@code deliver} ({@link Tracing#span}), child of the
 * record's span.
 */
@ApplicationScoped
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    @Inject
    ReactiveRunner runner;
    @Inject
    NotificationObjects objects;
    @Inject
    ProviderResolver resolver;
    @Inject
    DeliveryStore store;
    @Inject
    KubernetesClient client;
    @Inject
    NotifierConfig config;
    @Inject
    PipelineMetrics metrics;
    @Inject
    Tracing tracing;

    /** This process's instance id, the owner of the {@code PENDING} rows it begins. */
    private final String self = UUID.randomUUID().toString();
    /** Rows this process is sending now. */
    private final Set<Long> sending = ConcurrentHashMap.newKeySet();
    /** Outcomes of sendings whose recording failed (PostgreSQL down), by row id, so a retry records, not resends. */
    private final Map<Long, DeliveryOutcome> unrecorded = new ConcurrentHashMap<>();
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
     * Handles one record of {@code conflux.events}. Called again for the same record after a transient failure (see
     * {@code consume.EventConsumer}), with the same {@code done} set, so that the Alerts already done are not visited
     * twice (their repeat would be counted as a duplicate).
     *
     * @param partition Kafka partition of the record
     * @param offset    Kafka offset of the record
     * @param event     the event
     * @param done      {@code namespace/name} of the Alerts whose delivery of this record is final (sent, duplicate,
     *                  failed, skipped); filled in by this call
     * @return completes when every delivery is final and recorded; fails with {@link NotYetDeliveredException} when one
     *         must be retried (Provider unavailable, in flight elsewhere), or with the persistence failure
     */
    public Uni<Void> onEvent(int partition, long offset, FluxEvent event, Set<String> done) {
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
                        List<Alert> open = alerts.stream().filter(a -> !done.contains(alertKey(a))).toList();
                        if (open.isEmpty()) {
                            LOG.debugf("no Alert (left) for %s", objectKey(event));
                            return Uni.createFrom().voidItem();
                        }
                        return Multi.createFrom().iterable(open)
                                .onItem().transformToUniAndConcatenate(alert -> tracing.span("deliver", objectKey(event),
                                                () -> deliver(event, alert, blocking, onContext))
                                        .invoke(retry -> {
                                            if (retry.isEmpty()) {
                                                done.add(alertKey(alert));
                                            }
                                        }))
                                .collect().asList()
                                .chain(retries -> retryLater(event, retries));
                    });
        });
    }

    private static Uni<Void> retryLater(FluxEvent event, List<Optional<String>> results) {
        List<String> retries = results.stream().flatMap(Optional::stream).toList();
        if (retries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().failure(new NotYetDeliveredException(
                "event for " + objectKey(event) + " not delivered yet: " + String.join("; ", retries)));
    }

    /** @return empty when final (sent, duplicate, failed, skipped), or why it must be retried later */
    private Uni<Optional<String>> deliver(FluxEvent event, Alert alert, ReactiveRunner.Blocking blocking,
                                          Executor onContext) {
        String alertKey = alertKey(alert);
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
        DeliveryRecord template = record(event, NotificationEvent.identity(event), alertKey, providerKey, type, null, null);
        boolean carriesRevision = template.revision != null;
        return store.claim(template, self, latest -> DeliveryDecision.decide(latest, carriesRevision,
                        OffsetDateTime.now(ZoneOffset.UTC), config.duplicateWindow(), config.pendingTakeover(), self,
                        this::local))
                .chain(claim -> {
                    DeliveryRecord row = claim.row();
                    return switch (claim.decision().kind()) {
                        case DUPLICATE -> {
                            DeliveryRecord sent = claim.decision().latest().orElseThrow();
                            LOG.infof("duplicate notification of %s (%s) for Alert %s not posted to %s: sent at %s",
                                    objectKey(event), event.reason(), alertKey, providerKey, sent.updatedAt);
                            metrics.delivery(type, DeliveryRecord.DUPLICATE);
                            yield Uni.createFrom().item(Optional.<String>empty());
                        }
                        case IN_FLIGHT -> Uni.createFrom().item(Optional.of(providerKey + ": the notification of "
                                + objectKey(event) + " for Alert " + alertKey + " is being sent by another notifier"
                                + " (since " + row.updatedAt + ")"));
                        case RECORD -> finish(row, unrecorded.get(row.id), event, providerKey);
                        case SEND, RESUME, RESEND -> {
                            if (claim.decision().kind() == DeliveryDecision.Kind.RESEND) {
                                LOG.warnf("sending the notification of %s (%s) for Alert %s to %s again: an earlier"
                                        + " sending was interrupted before its outcome was recorded (at-least-once"
                                        + " duplicate %d of this delivery)", objectKey(event), event.reason(), alertKey,
                                        providerKey, row.resends);
                            }
                            sending.add(row.id);
                            yield limiter.acquire(providerKey)
                                    .chain(() -> http.send(endpoint, request))
                                    .emitOn(onContext)
                                    .chain(outcome -> finish(row, outcome, event, providerKey)
                                            .onFailure().invoke(() -> unrecorded.put(row.id, outcome)))
                                    .onTermination().invoke(() -> sending.remove(row.id));
                        }
                    };
                });
    }

    private DeliveryDecision.Local local(long id) {
        return unrecorded.containsKey(id) ? DeliveryDecision.Local.HELD
                : sending.contains(id) ? DeliveryDecision.Local.SENDING : DeliveryDecision.Local.NONE;
    }

    private Uni<Optional<String>> finish(DeliveryRecord row, DeliveryOutcome outcome, FluxEvent event,
                                         String providerKey) {
        String status = outcome.delivered() ? DeliveryRecord.SENT
                : outcome.unavailable() ? DeliveryRecord.RETRYING : DeliveryRecord.FAILED;
        if (outcome.delivered()) {
            LOG.infof("sent %s event of %s to %s (%d attempt(s))", event.reason(), objectKey(event), providerKey,
                    outcome.attempts());
        } else {
            LOG.warnf("%s %s event of %s to %s after %d attempt(s): %s", outcome.unavailable()
                            ? "will retry sending" : "failed to send", event.reason(), objectKey(event), providerKey,
                    outcome.attempts(), outcome.error());
        }
        return store.finish(row.id, status, outcome.attempts(), outcome.statusCode(), outcome.error())
                .invoke(() -> unrecorded.remove(row.id))
                .invoke(() -> metrics.delivery(row.providerType, status))
                .replaceWith(outcome.unavailable() ? Optional.of(providerKey + ": " + outcome.error())
                        : Optional.<String>empty());
    }

    /** Records a delivery that could not even be attempted (configuration problem); not a dead letter. */
    private Uni<Optional<String>> unusable(FluxEvent event, String alertKey, String providerKey, String type,
                                           String problem) {
        LOG.errorf("cannot notify Alert %s of %s: %s", alertKey, objectKey(event), problem);
        DeliveryRecord row = record(event, NotificationEvent.identity(event), alertKey, providerKey, type,
                DeliveryRecord.FAILED, problem);
        return store.insert(row).invoke(() -> metrics.delivery(type, DeliveryRecord.FAILED))
                .replaceWith(Optional.<String>empty());
    }

    private static DeliveryRecord record(FluxEvent event, String identity, String alertKey, String providerKey,
                                         String type, String status, String error) {
        DeliveryRecord row = new DeliveryRecord();
        row.identity = identity;
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

    private static String alertKey(Alert alert) {
        return alert.getMetadata().getNamespace() + "/" + alert.getMetadata().getName();
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
