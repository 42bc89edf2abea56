package io.conflux.notifier.consume;

import io.conflux.model.topic.FluxEvent;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON deserializer of {@code conflux.events} values ({@link FluxEvent}). */
public class FluxEventDeserializer extends ObjectMapperDeserializer<FluxEvent> {
    /** Deserializes into {@link FluxEvent}. */
    public FluxEventDeserializer() {
        super(FluxEvent.class);
    }
}
