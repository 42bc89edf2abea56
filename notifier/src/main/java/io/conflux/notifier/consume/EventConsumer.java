package io.conflux.notifier.consume;

import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.dispatch.Dispatcher;
import io.conflux.notifier.produce.KubernetesEventWriter;
import io.conflux.service.Ownership;
import io.conflux.service.Retrying;
import io.conflux.service.Tracing;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code conflux.events} (group {@code conflux-notifier}), the channel that defines the notifier's
 * {@link Ownership} (its three consumers' partitions together): each event is dispatched to the matching Alerts'
 * Providers. The record is acknowledged — and its offset committed — only once the deliveries are final and recorded
 * in PostgreSQL. The work is wrapped in service-common's {@link Retrying}: PostgreSQL down, a Provider unavailable
 * through its whole retry policy, or the notification in flight in another process are transient — retried with
 * backoff ({@code conflux.retry.*}) while this replica owns the record's key, never dead-lettered; only poison (a bug,
 * an undecodable record) reaches {@code conflux.events.dlq}. Redelivered records are harmless: a notification already
 * sent is recognised by its identity and not sent again ({@code dispatch.DeliveryDecision}). Before the deliveries,
 * the event is written as a Kubernetes Event on its involved object ({@link KubernetesEventWriter}; a redelivered
 * record counts nothing twice). The handling is one span, child of the applier's (the record's {@code traceparent}).
 */
@ApplicationScoped
public class EventConsumer {
    @Inject
    Dispatcher dispatcher;
    @Inject
    Retrying retrying;
    @Inject
    Ownership ownership;
    @Inject
    KubernetesEventWriter kubernetesEvents;
    @Inject
    Tracing tracing;

    /**
     * @param record a record of {@code conflux.events}; key {@code Kind/namespace/name}, value the event
     * @return completes when the event's deliveries are final and recorded (or the key is no longer owned here)
     */
    @Incoming("events")
    public Uni<Void> onEvent(ConsumerRecord<String, FluxEvent> record) {
        // the Alerts done survive the retries of this record, so that a retry does not count them as duplicates
        Set<String> done = ConcurrentHashMap.newKeySet();
        String key = record.key();
        return tracing.consume(record.topic() + " process", key, record.headers(),
                () -> retrying.untilDone(() -> kubernetesEvents.write(record.value())
                                .chain(() -> dispatcher.onEvent(record.partition(), record.offset(), record.value(), done)),
                        () -> key == null || ownership.owns(key)));
    }
}
