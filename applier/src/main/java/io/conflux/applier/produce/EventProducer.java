package io.conflux.applier.produce;

import io.conflux.model.topic.FluxEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes Flux events to {@code conflux.events}, keyed by the involved object ({@code Kind/namespace/name}). */
@ApplicationScoped
public class EventProducer {
    @Inject
    @Channel("events")
    MutinyEmitter<FluxEvent> emitter;

    /** @return a Uni completing when the broker acknowledged the event */
    public Uni<Void> send(FluxEvent event) {
        var o = event.involvedObject();
        String key = o.kind() + "/" + o.namespace() + "/" + o.name();
        return emitter.sendMessage(Message.of(event).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
