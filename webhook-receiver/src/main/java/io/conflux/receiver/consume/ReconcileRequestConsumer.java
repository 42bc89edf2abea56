package io.conflux.receiver.consume;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.SourceReconcileRequest;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.ArtifactSourceCache;
import io.conflux.receiver.decide.PollScheduler;
import io.conflux.service.Ownership;
import io.conflux.service.Retrying;
import io.conflux.service.Tracing;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code conflux.reconcile-requests} (channel {@code reconcile-requests}, group {@code conflux-receiver}),
 * the channel that defines the receiver's {@link Ownership}: the replica assigned a partition owns the
 * GitRepositories whose keys fall into it. A request (a verified webhook on any replica, a control API call on a
 * replica not owning the source) is handled by reconciling the source now — ls-remote, {@code source_state}, status,
 * {@code SourceRevision} through the outbox — and the offset is committed after that (at-least-once; a repeated
 * request finds the revision recorded and publishes nothing twice). The work is wrapped in service-common's
 * {@link Retrying}: a transient failure (PostgreSQL, the API server, a full queue) is retried with backoff while
 * this replica owns the key, never dead-lettered; only a poison record (not a GitRepository, OCIRepository or Bucket
 * key, unreadable JSON)
 * reaches {@code conflux.reconcile-requests.dlq}.
 */
@ApplicationScoped
public class ReconcileRequestConsumer {
    private static final Logger LOG = Logger.getLogger(ReconcileRequestConsumer.class);

    @Inject
    Tracing tracing;

    @Inject
    PollScheduler scheduler;
    @Inject
    Ownership ownership;
    @Inject
    Retrying retrying;

    /**
     * @param record key {@code GitRepository/<ns>/<name>} (or {@code OCIRepository/…}, {@code Bucket/…}), value the request
     * @return completes once the source was reconciled (or the key is no longer owned here)
     * @throws IllegalArgumentException (as the Uni's failure, poison) when the key is not a source's Conflux polls
     */
    @Incoming("reconcile-requests")
    public Uni<Void> onRequest(ConsumerRecord<String, SourceReconcileRequest> record) {
        SourceReconcileRequest request = record.value();
        ObjectKey key;
        try {
            key = ObjectKey.parse(request != null && request.object() != null ? request.object() : record.key());
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "record " + record.partition() + "/" + record.offset() + " does not name an object: " + e.getMessage(), e));
        }
        if (!GitRepository.KIND.equals(key.kind()) && !ArtifactSourceCache.handles(key.kind())) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "record " + record.partition() + "/" + record.offset() + ": cannot reconcile a " + key.kind()));
        }
        Trigger trigger = request == null || request.trigger() == null ? Trigger.MANUAL : request.trigger();
        String deliveryId = request == null ? null : request.deliveryId();
        LOG.debugf("%s: reconcile requested (%s%s)", key, trigger.json(), deliveryId == null ? "" : ", delivery " + deliveryId);
        // a webhook's request time is when the receiver accepted the push: the start of the webhook-to-applied latency
        String webhookReceivedAt = trigger == Trigger.WEBHOOK && request != null ? request.requestedAt() : null;
        return tracing.consume(record.topic() + " process", key.toString(), record.headers(),
                        () -> retrying.untilDone(() -> scheduler.reconcileNow(key, trigger, deliveryId, webhookReceivedAt),
                                () -> ownership.owns(key)))
                .replaceWithVoid();
    }
}
