package io.conflux.applier.consume;

import io.conflux.model.topic.RenderResult;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON deserializer of {@code conflux.render-results} values. */
public class RenderResultDeserializer extends ObjectMapperDeserializer<RenderResult> {
    public RenderResultDeserializer() {
        super(RenderResult.class);
    }
}
