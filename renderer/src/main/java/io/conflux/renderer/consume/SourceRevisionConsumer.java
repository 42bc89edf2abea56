package io.conflux.renderer.consume;

import io.conflux.model.topic.SourceRevision;
import io.conflux.renderer.render.RenderCoordinator;
import io.conflux.service.Ownership;
import io.conflux.service.Retrying;
import io.conflux.service.Tracing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code conflux.source-revisions}, the channel that defines the renderer's ownership
 * ({@code consumer-rebalance-listener.name=conflux-ownership}): Kafka gives a GitRepository's revisions to the replica
 * owning its key, which fetches and stores the artifact, writes its status and renders what it owns of the source.
 * The offset is committed once that is done (at-least-once; fetches and renders are idempotent). Transient failures
 * (PostgreSQL, Kafka, API server) are retried with backoff while the key is still owned ({@link Retrying}), never
 * dead-lettered; only a poison failure reaches {@code conflux.source-revisions.dlq}.
 */
@ApplicationScoped
public class SourceRevisionConsumer {
    private static final Logger LOG = Logger.getLogger(SourceRevisionConsumer.class);

    @Inject
    RenderCoordinator coordinator;
    @Inject
    Retrying retrying;
    @Inject
    Ownership ownership;
    @Inject
    Tracing tracing;

    /** For CDI. */
    public SourceRevisionConsumer() {
    }

    /**
     * For code built by hand (tests).
     *
     * @param coordinator handles the revisions
     * @param retrying    retries transient failures
     * @param ownership   whether the revision's GitRepository is still this replica's
     */
    public SourceRevisionConsumer(RenderCoordinator coordinator, Retrying retrying, Ownership ownership) {
        this.coordinator = coordinator;
        this.retrying = retrying;
        this.ownership = ownership;
    }

    /**
     * @param record a record of {@code conflux.source-revisions}; its {@code traceparent} header, if any, is the
     *               parent of the span of its handling
     * @return a Uni completing when the revision is handled (or its key moved to another replica during retries);
     *         failing with a poison failure only
     */
    @Incoming("source-revisions")
    public Uni<Void> onRecord(ConsumerRecord<String, SourceRevision> record) {
        return tracing.consume(record.topic() + " process", record.key(), record.headers(),
                () -> onSourceRevision(record.value()));
    }

    /**
     * The handling of one revision, in the span of its record ({@link #onRecord}).
     *
     * @return a Uni completing when the revision is handled (or its key moved to another replica during retries);
     *         failing with a poison failure only
     */
    public Uni<Void> onSourceRevision(SourceRevision revision) {
        return retrying.untilDone(() -> coordinator.onSourceRevision(revision)
                                .onFailure().invoke(e -> LOG.warnf("fetching %s at %s failed: %s", revision.source(),
                                        revision.revision(), e.toString())),
                        () -> ownership.owns(revision.source()))
                .onFailure().invoke(e -> LOG.errorf(e, "%s at %s not handled, dead-lettered", revision.source(), revision.revision()))
                .replaceWithVoid();
    }
}
