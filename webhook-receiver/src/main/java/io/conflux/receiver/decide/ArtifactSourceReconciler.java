package io.conflux.receiver.decide;

import io.conflux.artifacts.BucketSources;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Topics;
import io.conflux.model.topic.Trigger;
import io.conflux.receiver.decide.ReconcileOutcome.Result;
import io.conflux.receiver.decide.RevisionResolver.SourceFailure;
import io.conflux.receiver.persist.SourceState;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.ReactiveRunner.Blocking;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
 * Reconciles one {@code OCIRepository} or {@code Bucket} the way {@link SourceReconciler} does a GitRepository: its
 * current revision from the registry or bucket ({@link ArtifactRevisionResolver}); when the (revision, generation)
 * differs from {@code source_state}'s or was not yet handed to Kafka, FIRST records it in {@code source_state}, THEN
 * writes the status ({@link ArtifactSourceStatus}: {@code Ready=True}, {@code artifact.revision}, {@code url},
 * {@code observedGeneration}), THEN marks it published and adds the {@link SourceRevision} (key
 * {@code OCIRepository/<ns>/<name>} or {@code Bucket/<ns>/<name>}, {@code url}, no {@code ref}) to the outbox in one
 * transaction; the renderer then fetches and stores that revision's content. A failure writes {@code Ready=False}
 * with Flux's reason (a field Conflux does not act on: {@code NotSupported} naming it) and keeps the last artifact. A
 * published revision the renderer could not fetch is published again at each reconciliation. Serialized per source in
 * a bounded {@link KeyedSerialQueue}; only the owning replica calls it.
 */
@ApplicationScoped
public class ArtifactSourceReconciler {
    private static final Logger LOG = Logger.getLogger(ArtifactSourceReconciler.class);

    @Inject
    ArtifactSourceCache sources;
    @Inject
    ArtifactRevisionResolver resolver;
    @Inject
    StatusPatcher status;
    @Inject
    Outbox outbox;
    @Inject
    ReactiveRunner runner;
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
     * @param key        the OCIRepository or Bucket
     * @param trigger    why: {@code poll}, {@code webhook} or {@code manual}
     * @param deliveryId the webhook delivery id carried to the published record, or null
     * @return the outcome; fails only when PostgreSQL, the API server or the queue failed (transient)
     */
    public Uni<ReconcileOutcome> reconcile(ObjectKey key, Trigger trigger, String deliveryId) {
        AtomicReference<ReconcileOutcome> outcome = new AtomicReference<>();
        return queue.submit(key.toString(), () -> runner.run(blocking -> attempt(blocking, key, trigger, deliveryId))
                        .invoke(outcome::set).replaceWithVoid())
                .map(v -> outcome.get());
    }

    private Uni<ReconcileOutcome> attempt(Blocking blocking, ObjectKey key, Trigger trigger, String deliveryId) {
        HasMetadata source = sources.get(key).orElse(null);
        if (source == null) {
            return Uni.createFrom().item(new ReconcileOutcome(key, Result.NOT_FOUND, null, key.kind() + " not found"));
        }
        if (ArtifactSourceCache.suspended(source)) {
            return Uni.createFrom().item(new ReconcileOutcome(key, Result.SUSPENDED, null, "reconciliation is suspended"));
        }
        return Panache.withSession(() -> SourceState.find(key.toString()))
                .chain(state -> blocking.call(() -> resolver.resolve(source))
                        .chain(revision -> store(blocking, source, key, revision, trigger, deliveryId, state)))
                .onFailure(SourceFailure.class).recoverWithUni(e -> blocking.call(() -> {
                    SourceFailure f = e;
                    LOG.warnf("%s: %s: %s", key, f.reason(), f.getMessage());
                    status.patch(key, ArtifactSourceStatus.failed(source, f.reason(), f.getMessage()));
                    return new ReconcileOutcome(key, Result.FAILED, null, f.getMessage());
                }));
    }

    private Uni<ReconcileOutcome> store(Blocking blocking, HasMetadata source, ObjectKey key, String revision,
                                        Trigger trigger, String deliveryId, SourceState state) {
        long generation = source.getMetadata().getGeneration() == null ? 0 : source.getMetadata().getGeneration();
        String uid = source.getMetadata().getUid();
        String url = url(source);
        boolean sameObject = state != null && (state.sourceUid == null || uid == null || state.sourceUid.equals(uid));
        boolean same = sameObject && revision.equals(state.revision) && state.generation == generation;
        if (same && state.publishedAt != null && ArtifactSourceStatus.notFetched(source, revision)) {
            SourceRevision again = new SourceRevision(key.toString(), generation, url, null, revision, trigger,
                    deliveryId, state.observedAt.toInstant().toString());
            return Panache.withTransaction(() -> outbox.add(Topics.SOURCE_REVISIONS, key.toString(), again))
                    .invoke(() -> LOG.infof("%s: published %s again, the renderer could not fetch it", key, revision))
                    .replaceWith(new ReconcileOutcome(key, Result.PUBLISHED, revision, null));
        }
        if (same && state.publishedAt != null) {
            if (trigger != Trigger.MANUAL && ArtifactSourceStatus.current(source, revision)) {
                return Uni.createFrom().item(new ReconcileOutcome(key, Result.UNCHANGED, revision, null));
            }
            return blocking.call(() -> {
                status.patch(key, ArtifactSourceStatus.stored(source, url, revision));
                return new ReconcileOutcome(key, Result.UNCHANGED, revision, null);
            });
        }
        OffsetDateTime observedAt = same ? state.observedAt : OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        String observed = observedAt.toInstant().toString();
        SourceRevision record = new SourceRevision(key.toString(), generation, url, null, revision, trigger, deliveryId,
                observed);
        return Panache.withTransaction(() -> SourceState.record(key.toString(), uid, revision, generation,
                        trigger.json(), deliveryId, observedAt))
                .chain(() -> blocking.call(() -> status.patch(key, ArtifactSourceStatus.stored(source, url, revision))))
                .chain(() -> Panache.withTransaction(() -> SourceState.markPublished(key.toString(), revision, generation,
                                OffsetDateTime.now(ZoneOffset.UTC))
                        .chain(() -> outbox.add(Topics.SOURCE_REVISIONS, key.toString(), record))))
                .invoke(() -> LOG.infof("%s: published %s (%s%s)", key, revision, trigger.json(),
                        deliveryId == null ? "" : ", delivery " + deliveryId))
                .replaceWith(new ReconcileOutcome(key, Result.PUBLISHED, revision, null));
    }

    /** @return the source's URL as Flux reports it: an OCIRepository's {@code spec.url}, a Bucket's endpoint and name */
    static String url(HasMetadata source) {
        if (source instanceof OCIRepository o) {
            return o.getSpec() == null ? null : o.getSpec().url();
        }
        Bucket b = (Bucket) source;
        return b.getSpec() == null ? null : BucketSources.url(b.getSpec());
    }
}
