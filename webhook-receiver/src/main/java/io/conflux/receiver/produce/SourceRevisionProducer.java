package io.conflux.receiver.produce;

import io.conflux.model.topic.SourceRevision;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes {@link SourceRevision}s to {@code conflux.source-revisions} (channel {@code source-revisions}), keyed
 * by the source ({@code GitRepository/<ns>/<name>}) so that one source's revisions land on one partition in order.
 */
@ApplicationScoped
public class SourceRevisionProducer {
    @Inject
    @Channel("source-revisions")
    MutinyEmitter<SourceRevision> emitter;

    /** @return a Uni completing when the broker acknowledged the record ({@code acks=all}), failing otherwise */
    public Uni<Void> send(SourceRevision revision) {
        return emitter.sendMessage(Message.of(revision).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(revision.source()).build()));
    }
}
