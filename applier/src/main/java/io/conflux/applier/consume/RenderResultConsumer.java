package io.conflux.applier.consume;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.topic.RenderResult;
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
 * Consumes {@code conflux.render-results}: each result is stored as its object's desired state and the object
 * reconciled in the background; the offset is committed once the desired state is stored (at-least-once; recording
 * and reconciling are idempotent). Transient failures (PostgreSQL, Kafka, API server) are retried with backoff while
 * this replica owns the key ({@link Retrying}), never dead-lettered; a poison message goes to
 * {@code conflux.render-results.dlq}.
 */
@ApplicationScoped
public class RenderResultConsumer {
    private static final Logger LOG = Logger.getLogger(RenderResultConsumer.class);

    @Inject
    Reconciler reconciler;
    @Inject
    Retrying retrying;
    @Inject
    Ownership ownership;
    @Inject
    Tracing tracing;

    /**
     * @param record a record of {@code conflux.render-results}; its {@code traceparent} header (the renderer's span,
     *               kept in its outbox row) is the parent of the span of its handling, and of the reconcile it triggers
     * @return a Uni completing when the desired state is stored
     */
    @Incoming("render-results")
    public Uni<Void> onRecord(ConsumerRecord<String, RenderResult> record) {
        return tracing.consume(record.topic() + " process", record.key(), record.headers(),
                () -> onRenderResult(record.value()));
    }

    /**
     * The handling of one render result, in the span of its record ({@link #onRecord}).
     *
     * @param result the render result
     * @return a Uni completing when the desired state is stored
     */
    public Uni<Void> onRenderResult(RenderResult result) {
        return retrying.untilDone(() -> reconciler.onRenderResult(result), () -> ownership.owns(result.object()))
                .onFailure().invoke(e -> LOG.errorf(e, "storing the render result of %s at %s failed", result.object(),
                        result.sourceRevision()));
    }
}
