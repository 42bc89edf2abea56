package io.conflux.notifier.consume;

import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.dispatch.Dispatcher;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code conflux.events} (group {@code conflux-notifier}): each event is dispatched to the matching
 * Alerts' Providers. The record is acknowledged — and its offset committed — only once the deliveries are
 * recorded in PostgreSQL; a failed Uni sends the record to {@code conflux.events.dlq}. Redelivered records are
 * harmless: deliveries already sent are recognised and not sent again.
 */
@ApplicationScoped
public class EventConsumer {
    @Inject
    Dispatcher dispatcher;

    /**
     * @param record a record of {@code conflux.events}; key {@code Kind/namespace/name}, value the event
     * @return completes when the event's deliveries are recorded
     */
    @Incoming("events")
    public Uni<Void> onEvent(ConsumerRecord<String, FluxEvent> record) {
        Set<String> done = ConcurrentHashMap.newKeySet();
        return dispatcher.onEvent(record.partition(), record.offset(), record.value(), done);
    }
}
