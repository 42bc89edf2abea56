package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.ReconcileOutcome.Result;
import io.conflux.receiver.decide.RevisionResolver.SourceFailure;
import io.conflux.model.topic.Topics;
import io.conflux.receiver.persist.SourceState;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.FluxMetrics;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.ReactiveRunner.Blocking;
import io.conflux.service.StatusPatcher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reconciles one GitRepository: finds its current revision, always by ls-remote through {@link RevisionResolver} (what
 * the remote's ref resolves to, as Flux's source-controller checks out; a webhook only triggers this, the commit its
 * payload names is never used) and, when the (revision, generation) differs from the one recorded in
 * {@code source_state} or was not yet handed to Kafka, FIRST records it in {@code source_state}, THEN writes the
 * status (Ready, artifact, observedGeneration) through service-common's {@link StatusPatcher}, THEN, in one
 * transaction, marks it published and adds the {@link SourceRevision} to the outbox ({@code receiver_outbox},
 * service-common's {@link Outbox}), so the record leaves exactly when the state says it did, and the renderer only
 * hears of a revision whose status is written. A crash between the steps repeats the rest at the next reconcile. A
 * failure writes {@code Ready=False} and keeps the last good revision. A published revision the renderer could not
 * fetch ({@link SourceStatus#notFetched}) is published again at each reconciliation, without writing the status,
 * until the renderer fetches it. Reconciliations of one source run one at a time, in submission order, in a
 * bounded {@link KeyedSerialQueue} ({@code conflux.queue.job-timeout}, {@code conflux.queue.max-waiting-per-key}),
 * so its revisions reach the outbox in order. Only the replica owning the source calls it.
 */
@ApplicationScoped
public class SourceReconciler {
    private static final Logger LOG = Logger.getLogger(SourceReconciler.class);

    @Inject
    SourceCache sources;
    @Inject
    RevisionResolver resolver;
    @Inject
    StatusPatcher status;
    @Inject
    Outbox outbox;
    @Inject
    ReactiveRunner runner;
    @Inject
    FluxMetrics metrics;
    @ConfigProperty(name = "conflux.queue.job-timeout")
    Duration jobTimeout;
    @ConfigProperty(name = "conflux.queue.max-waiting-per-key")
    int maxWaitingPerKey;

    private KeyedSerialQueue queue;

    @PostConstruct
    void init() {
        queue = new KeyedSerialQueue(jobTimeout, maxWaitingPerKey);
    }

    /**
     * @param key        the GitRepository
     * @param trigger    why: {@code poll}, {@code webhook} or {@code manual}
     * @param deliveryId the webhook delivery id carried to the published record, or null
     * @return the outcome; fails only when PostgreSQL, the API server or the queue failed (transient, see
     *         service-common's {@code Transient}): the steps done are kept and the rest is repeated next time
     */
    public Uni<ReconcileOutcome> reconcile(ObjectKey key, Trigger trigger, String deliveryId) {
        return reconcile(key, trigger, deliveryId, null);
    }

    /**
     * As {@link #reconcile(ObjectKey, Trigger, String)}.
     *
     * @param webhookReceivedAt RFC 3339 time the webhook asking for this reconcile was received, carried in the
     *                          published {@code SourceRevision} (the start of {@code conflux_webhook_to_applied_seconds});
     *                          null for polls and manual requests
     */
    public Uni<ReconcileOutcome> reconcile(ObjectKey key, Trigger trigger, String deliveryId, String webhookReceivedAt) {
        AtomicReference<ReconcileOutcome> outcome = new AtomicReference<>();
        return queue.submit(key.toString(), () -> {
                    long started = System.nanoTime();
                    return runner.run(blocking -> attempt(blocking, key, trigger, deliveryId, webhookReceivedAt))
                            .invoke(outcome::set)
                            .invoke(o -> record(key, o, Duration.ofNanos(System.nanoTime() - started)))
                            .replaceWithVoid();
                })
                .map(v -> outcome.get());
    }

    /** Flux's {@code gotk_*} series of the GitRepository after one reconcile (gone: its series are removed). */
    private void record(ObjectKey key, ReconcileOutcome outcome, Duration took) {
        if (metrics == null) {
            return;
        }
        if (outcome.result() == Result.NOT_FOUND) {
            metrics.forget(key);
            return;
        }
        metrics.recordSuspend(key, outcome.result() == Result.SUSPENDED);
        metrics.recordDuration(key, took);
    }

    private Uni<ReconcileOutcome> attempt(Blocking blocking, ObjectKey key, Trigger trigger, String deliveryId,
                                          String webhookReceivedAt) {
        GitRepository repo = sources.get(key).orElse(null);
        if (repo == null) {
            return Uni.createFrom().item(new ReconcileOutcome(key, Result.NOT_FOUND, null, "GitRepository not found"));
        }
        if (repo.getSpec() != null && repo.getSpec().suspended()) {
            return Uni.createFrom().item(new ReconcileOutcome(key, Result.SUSPENDED, null, "reconciliation is suspended"));
        }
        return Panache.withSession(() -> SourceState.find(key.toString()))
                .chain(state -> blocking.call(() -> resolver.resolve(repo))
                        .chain(revision -> store(blocking, repo, key, revision, trigger, deliveryId, webhookReceivedAt, state)))
                .onFailure(SourceFailure.class).recoverWithUni(e -> blocking.call(() -> {
                    SourceFailure f = e;
                    LOG.warnf("%s: %s: %s", key, f.reason(), f.getMessage());
                    status.patch(key, SourceStatus.failed(repo, f.reason(), f.getMessage()));
                    return new ReconcileOutcome(key, Result.FAILED, null, f.getMessage());
                }));
    }

    private Uni<ReconcileOutcome> store(Blocking blocking, GitRepository repo, ObjectKey key, Revision revision,
                                        Trigger trigger, String deliveryId, String webhookReceivedAt,
                                        SourceState state) {
        long generation = repo.getMetadata().getGeneration() == null ? 0 : repo.getMetadata().getGeneration();
        String text = revision.toString();
        String uid = repo.getMetadata().getUid();
        boolean sameObject = state != null && (state.sourceUid == null || uid == null || state.sourceUid.equals(uid));
        boolean same = sameObject && text.equals(state.revision) && state.generation == generation;
        if (same && state.publishedAt != null && SourceStatus.notFetched(repo, revision)) {
            // The renderer could not fetch it and serves the last good artifact: publish it again so that it tries
            // again (source-controller retries a failed fetch every interval); the status stays the renderer's.
            SourceRevision again = sourceRevision(repo, key, generation, text, trigger, deliveryId,
                    state.observedAt.toInstant().toString(), null);
            return Panache.withTransaction(() -> outbox.add(Topics.SOURCE_REVISIONS, key.toString(), again))
                    .invoke(() -> LOG.infof("%s: published %s again, the renderer could not fetch it", key, text))
                    .replaceWith(new ReconcileOutcome(key, Result.PUBLISHED, text, null));
        }
        if (same && state.publishedAt != null) {
            if (trigger != Trigger.MANUAL && SourceStatus.sourceCurrent(repo, revision)) {
                return Uni.createFrom().item(new ReconcileOutcome(key, Result.UNCHANGED, text, null));
            }
            return blocking.call(() -> {
                status.patch(key, SourceStatus.stored(repo, revision));
                return new ReconcileOutcome(key, Result.UNCHANGED, text, null);
            });
        }
        OffsetDateTime observedAt = same ? state.observedAt : OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        String observed = observedAt.toInstant().toString();
        SourceRevision record = sourceRevision(repo, key, generation, text, trigger, deliveryId, observed,
                webhookReceivedAt);
        return Panache.withTransaction(() -> SourceState.record(key.toString(), uid, text, generation,
                        trigger.json(), deliveryId, observedAt))
                .chain(() -> blocking.call(() -> status.patch(key, SourceStatus.stored(repo, revision))))
                .chain(() -> Panache.withTransaction(() -> SourceState.markPublished(key.toString(), text, generation,
                                OffsetDateTime.now(ZoneOffset.UTC))
                        .chain(() -> outbox.add(Topics.SOURCE_REVISIONS, key.toString(), record))))
                .invoke(() -> LOG.infof("%s: published %s (%s%s)", key, text, trigger.json(),
                        deliveryId == null ? "" : ", delivery " + deliveryId))
                .replaceWith(new ReconcileOutcome(key, Result.PUBLISHED, text, null));
    }

    /** @return the {@code conflux.source-revisions} record of {@code repo} at {@code revision} ({@code spec.ref} defaulted) */
    private static SourceRevision sourceRevision(GitRepository repo, ObjectKey key, long generation, String revision,
                                                 Trigger trigger, String deliveryId, String observedAt,
                                                 String webhookReceivedAt) {
        GitRepositoryRef ref = repo.getSpec().ref() == null ? GitRepositoryRef.DEFAULT : repo.getSpec().ref();
        return new SourceRevision(key.toString(), generation, repo.getSpec().url(), ref, revision, trigger, deliveryId,
                observedAt, trigger == Trigger.WEBHOOK ? webhookReceivedAt : null);
    }
}
