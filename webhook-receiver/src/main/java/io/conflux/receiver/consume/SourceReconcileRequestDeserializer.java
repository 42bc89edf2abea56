package io.conflux.receiver.consume;

import io.conflux.model.topic.SourceReconcileRequest;
import io.quarkus.kafka.client.serialization.ObjectMapperDeserializer;

/** Reads the JSON values of {@code conflux.reconcile-requests} as {@link SourceReconcileRequest}s. */
public class SourceReconcileRequestDeserializer extends ObjectMapperDeserializer<SourceReconcileRequest> {
    /** For the Kafka client, which instantiates it by name. */
    public SourceReconcileRequestDeserializer() {
        super(SourceReconcileRequest.class);
    }
}
