package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.Trigger;
import io.conflux.service.Ownership;
import io.conflux.service.Requeue;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * When each GitRepository, OCIRepository and Bucket this replica owns ({@link Ownership}, the partitions of {@code conflux.reconcile-requests}
 * assigned to it) is reconciled: at once on creation, spec change, a {@code requestedAt} annotation, a reconcile
 * request or a newly assigned partition, then every {@code spec.interval} after the end of its last reconciliation
 * (whatever triggered it, as Flux requeues), never while suspended or after deletion. One pending run per source, in
 * service-common's {@link Requeue}: rescheduled after every outcome — after the interval, or after
 * {@code conflux.receiver.requeue-after-failure} (at most the interval) when the reconcile failed on infrastructure.
 * A source not owned is never scheduled; the timers of a revoked partition's sources are cancelled, and a newly
 * assigned partition's sources are reconciled at once (their state is in PostgreSQL's {@code source_state}, so an
 * unchanged revision is not published again).
 */
@ApplicationScoped
public class PollScheduler {
    private static final Logger LOG = Logger.getLogger(PollScheduler.class);

    @Inject
    SourceReconciler reconciler;
    @Inject
    SourceCache sources;
    @Inject
    ArtifactSourceReconciler artifactReconciler;
    @Inject
    ArtifactSourceCache artifactSources;
    @Inject
    ReceiverConfig config;
    @Inject
    Requeue requeue;
    @Inject
    Ownership ownership;

    @PostConstruct
    void init() {
        ownership.onAssigned(newlyOwned -> {
            sources.list().stream().map(SourceCache::keyOf)
                    .filter(key -> newlyOwned.test(key.toString()))
                    .forEach(key -> pollNow(key, Trigger.POLL, null));
            artifactSources.list().stream().map(ArtifactSourceCache::keyOf)
                    .filter(key -> newlyOwned.test(key.toString()))
                    .forEach(key -> pollNow(key, Trigger.POLL, null));
        });
        ownership.onRevoked(noLongerOwned -> requeue.cancelIf(noLongerOwned));
    }

    /**
     * Reconciles the source as soon as possible (in the background), replacing its pending run, when this replica
     * owns it.
     *
     * @return whether it was scheduled (false: another replica owns it)
     */
    public boolean pollNow(ObjectKey key, Trigger trigger, String deliveryId) {
        if (!ownership.owns(key)) {
            return false;
        }
        schedule(key, Duration.ZERO, trigger, deliveryId);
        return true;
    }

    /** Forgets a deleted source's pending run. */
    public void cancel(ObjectKey key) {
        requeue.cancel(key.toString());
    }

    /** @return when the next run of the source is due, if one is pending */
    public Optional<java.time.Instant> next(ObjectKey key) {
        return requeue.next(key.toString());
    }

    /**
     * Reconciles now (the caller owns the key) and schedules the next poll after {@code spec.interval} (after
     * {@code requeue-after-failure} when it failed).
     *
     * @see SourceReconciler#reconcile(ObjectKey, Trigger, String)
     */
    public Uni<ReconcileOutcome> reconcileNow(ObjectKey key, Trigger trigger, String deliveryId) {
        return reconcileNow(key, trigger, deliveryId, null);
    }

    /**
     * As {@link #reconcileNow(ObjectKey, Trigger, String)}, for a webhook's request.
     *
     * @param webhookReceivedAt RFC 3339 time the webhook was received, carried to the published revision; null for
     *                          other triggers
     */
    public Uni<ReconcileOutcome> reconcileNow(ObjectKey key, Trigger trigger, String deliveryId, String webhookReceivedAt) {
        return reconcile(key, trigger, deliveryId, webhookReceivedAt)
                .invoke(outcome -> after(key, next(outcome)))
                .onFailure().invoke(e -> {
                    LOG.warnf("%s: reconciliation failed, retried in %s: %s", key, afterFailure(key), e.toString());
                    after(key, afterFailure(key));
                });
    }

    private void schedule(ObjectKey key, Duration delay, Trigger trigger, String deliveryId) {
        AtomicBoolean first = new AtomicBoolean(true);
        // the first run carries its trigger (and delivery id); the periodic ones after it are polls
        requeue.schedule(key.toString(), delay, () -> {
            if (!ownership.owns(key)) {
                return Uni.createFrom().nullItem();
            }
            boolean initial = first.getAndSet(false);
            return reconcile(key, initial ? trigger : Trigger.POLL, initial ? deliveryId : null, null)
                    .map(this::next);
        }, afterFailure(key));
    }

    /** The GitRepository reconciler, or the OCIRepository/Bucket one for those kinds. */
    private Uni<ReconcileOutcome> reconcile(ObjectKey key, Trigger trigger, String deliveryId, String webhookReceivedAt) {
        return ArtifactSourceCache.handles(key.kind()) ? artifactReconciler.reconcile(key, trigger, deliveryId)
                : reconciler.reconcile(key, trigger, deliveryId, webhookReceivedAt);
    }

    private void after(ObjectKey key, Duration wait) {
        if (wait == null) {
            cancel(key);
        } else if (ownership.owns(key)) {
            schedule(key, wait, Trigger.POLL, null);
        }
    }

    /** @return the wait before the next poll after {@code outcome}, null when there is none (deleted, suspended) */
    private Duration next(ReconcileOutcome outcome) {
        if (outcome.result() == ReconcileOutcome.Result.NOT_FOUND || outcome.result() == ReconcileOutcome.Result.SUSPENDED) {
            return null;
        }
        return interval(outcome.source()).orElse(null);
    }

    private Optional<Duration> interval(ObjectKey key) {
        if (ArtifactSourceCache.handles(key.kind())) {
            return artifactSources.get(key)
                    .map(o -> Intervals.parse(ArtifactSourceCache.interval(o), config.fallbackInterval()));
        }
        return sources.get(key)
                .map(g -> Intervals.parse(g.getSpec() == null ? null : g.getSpec().interval(), config.fallbackInterval()));
    }

    private Duration afterFailure(ObjectKey key) {
        Duration retry = config.requeueAfterFailure();
        return interval(key).filter(i -> i.compareTo(retry) < 0).orElse(retry);
    }
}
