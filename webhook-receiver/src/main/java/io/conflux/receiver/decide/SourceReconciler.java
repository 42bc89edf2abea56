package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.ReconcileOutcome.Result;
import io.conflux.receiver.decide.RevisionResolver.SourceFailure;
import io.conflux.receiver.persist.SourceState;
import io.conflux.receiver.produce.SourceRevisionProducer;
import io.conflux.receiver.produce.StatusWriter;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.ReactiveRunner.Blocking;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Reconciles one GitRepository: finds its current revision, always by ls-remote through {@link RevisionResolver} (what
 * the remote's ref resolves to, as Flux's source-controller checks out; a webhook only triggers this, the commit its
 * payload names is never used) and, when the (revision, generation) differs from the one recorded in
 * {@code source_state} or was not yet acknowledged by Kafka, FIRST writes the status (Ready, artifact,
 * observedGeneration), THEN records it, THEN publishes a {@link SourceRevision} and marks it published. A failure
 * writes {@code Ready=False} and keeps the last good revision. A published revision the renderer could not fetch
 * ({@link StatusWriter#notFetched}) is published again at each reconciliation, without writing the status, until the
 * renderer fetches it. Reconciliations of one source run one at a time, in
 * submission order, so its revisions reach Kafka in order.
 */
@ApplicationScoped
public class SourceReconciler {
    private static final Logger LOG = Logger.getLogger(SourceReconciler.class);

    @Inject
    SourceCache sources;
    @Inject
    RevisionResolver resolver;
    @Inject
    StatusWriter status;
    @Inject
    SourceRevisionProducer producer;
    @Inject
    ReactiveRunner runner;

    private final KeyedSerialQueue queue = new KeyedSerialQueue();

    /**
     * @param key        the GitRepository
     * @param trigger    why: {@code poll}, {@code webhook} or {@code manual}
     * @param deliveryId the webhook delivery id carried to the published record, or null
     * @return the outcome; fails only when PostgreSQL or Kafka failed (the status may then be written already)
     */
    public Uni<ReconcileOutcome> reconcile(ObjectKey key, Trigger trigger, String deliveryId) {
        AtomicReference<ReconcileOutcome> outcome = new AtomicReference<>();
        return queue.submit(key.toString(), () -> runner.run(blocking -> attempt(blocking, key, trigger, deliveryId))
                        .invoke(outcome::set).replaceWithVoid())
                .map(v -> outcome.get());
    }

    private Uni<ReconcileOutcome> attempt(Blocking blocking, ObjectKey key, Trigger trigger, String deliveryId) {
        GitRepository repo = sources.get(key).orElse(null);
        if (repo == null) {
            return Uni.createFrom().item(new ReconcileOutcome(key, Result.NOT_FOUND, null, "GitRepository not found"));
        }
        if (repo.getSpec() != null && repo.getSpec().suspended()) {
            return Uni.createFrom().item(new ReconcileOutcome(key, Result.SUSPENDED, null, "reconciliation is suspended"));
        }
        Context context = Vertx.currentContext();
        Executor onContext = task -> context.runOnContext(v -> task.run());
        return Panache.withSession(() -> SourceState.find(key.toString()))
                .chain(state -> blocking.call(() -> resolver.resolve(repo))
                        .chain(revision -> store(blocking, onContext, repo, key, revision, trigger, deliveryId, state)))
                .onFailure(SourceFailure.class).recoverWithUni(e -> blocking.call(() -> {
                    SourceFailure f = e;
                    LOG.warnf("%s: %s: %s", key, f.reason(), f.getMessage());
                    status.sourceFailed(repo, f.reason(), f.getMessage());
                    return new ReconcileOutcome(key, Result.FAILED, null, f.getMessage());
                }));
    }

    private Uni<ReconcileOutcome> store(Blocking blocking, Executor onContext, GitRepository repo, ObjectKey key,
                                        Revision revision, Trigger trigger, String deliveryId, SourceState state) {
        long generation = repo.getMetadata().getGeneration() == null ? 0 : repo.getMetadata().getGeneration();
        String text = revision.toString();
        String uid = repo.getMetadata().getUid();
        boolean sameObject = state != null && (state.sourceUid == null || uid == null || state.sourceUid.equals(uid));
        boolean same = sameObject && text.equals(state.revision) && state.generation == generation;
        if (same && state.publishedAt != null && StatusWriter.notFetched(repo, revision)) {
            // The renderer could not fetch it and serves the last good artifact: publish it again so that it tries
            // again (source-controller retries a failed fetch every interval); the status stays the renderer's.
            SourceRevision again = sourceRevision(repo, key, generation, text, trigger, deliveryId,
                    state.observedAt.toInstant().toString());
            return producer.send(again).emitOn(onContext)
                    .invoke(() -> LOG.infof("%s: published %s again, the renderer could not fetch it", key, text))
                    .replaceWith(new ReconcileOutcome(key, Result.PUBLISHED, text, null));
        }
        if (same && state.publishedAt != null) {
            if (trigger != Trigger.MANUAL && StatusWriter.sourceCurrent(repo, revision)) {
                return Uni.createFrom().item(new ReconcileOutcome(key, Result.UNCHANGED, text, null));
            }
            String since = state.observedAt.toInstant().toString();
            return blocking.call(() -> {
                status.sourceStored(repo, revision, since);
                return new ReconcileOutcome(key, Result.UNCHANGED, text, null);
            });
        }
        OffsetDateTime observedAt = same ? state.observedAt : OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        String observed = observedAt.toInstant().toString();
        SourceRevision record = sourceRevision(repo, key, generation, text, trigger, deliveryId, observed);
        return blocking.call(() -> {
                    status.sourceStored(repo, revision, observed);
                    return true;
                })
                .chain(() -> Panache.withTransaction(() -> SourceState.record(key.toString(), uid, text, generation,
                        trigger.json(), deliveryId, observedAt)))
                .chain(() -> producer.send(record).emitOn(onContext))
                .chain(() -> Panache.withTransaction(() -> SourceState.markPublished(key.toString(), text, generation,
                        OffsetDateTime.now(ZoneOffset.UTC))))
                .invoke(() -> LOG.infof("%s: published %s (%s%s)", key, text, trigger.json(),
                        deliveryId == null ? "" : ", delivery " + deliveryId))
                .replaceWith(new ReconcileOutcome(key, Result.PUBLISHED, text, null));
    }

    /** @return the {@code conflux.source-revisions} record of {@code repo} at {@code revision} ({@code spec.ref} defaulted) */
    private static SourceRevision sourceRevision(GitRepository repo, ObjectKey key, long generation, String revision,
                                                 Trigger trigger, String deliveryId, String observedAt) {
        GitRepositoryRef ref = repo.getSpec().ref() == null ? GitRepositoryRef.DEFAULT : repo.getSpec().ref();
        return new SourceRevision(key.toString(), generation, repo.getSpec().url(), ref, revision, trigger, deliveryId,
                observedAt);
    }
}
