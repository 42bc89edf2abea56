package io.conflux.renderer.consume;

import io.conflux.model.topic.SourceRevision;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** JSON deserializer of {@code conflux.source-revisions} values. */
public class SourceRevisionDeserializer extends ObjectMapperDeserializer<SourceRevision> {
    public SourceRevisionDeserializer() {
        super(SourceRevision.class);
    }
}
