package io.conflux.renderer.produce;

import io.conflux.model.topic.RenderResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Publishes {@link RenderResult}s to {@code conflux.render-results}, keyed by the rendered object. */
@ApplicationScoped
public class RenderResultProducer {
    @Inject
    @Channel("render-results")
    MutinyEmitter<RenderResult> emitter;

    /** @return a Uni completing when the broker acknowledged the record */
    public Uni<Void> send(RenderResult result) {
        return emitter.sendMessage(Message.of(result).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(result.object()).build()));
    }
}
