package io.conflux.renderer.render;

import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.Topics;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.RenderRecord;
import io.conflux.service.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Records renders: whether one is needed at all (the render records: idempotency and monotonic revisions), and the
 * render itself — its bundle (by digest, {@link BundleStore}), its {@code render_record} row and its
 * {@code conflux.render-results} record, in one transaction: the record goes through the transactional {@link Outbox}
 * (table {@code renderer_outbox}), so a render is recorded and published together or not at all; while Kafka is down
 * the record waits in the outbox. Runs inside a {@code ReactiveRunner} pipeline (Panache).
 */
public final class RenderRecorder {
    private static final Logger LOG = Logger.getLogger(RenderRecorder.class);
    /** Reason of a render whose bundle may not be stored ({@link BundleStore#refusal}). */
    static final String BUNDLE_NOT_STORED = "BundleNotStored";

    private final BundleStore bundleStore;
    private final Outbox outbox;

    /**
     * @param bundleStore where bundles are stored
     * @param outbox      the service's outbox, which publishes render results once their transaction committed
     */
    RenderRecorder(BundleStore bundleStore, Outbox outbox) {
        this.bundleStore = bundleStore;
        this.outbox = outbox;
    }

    /**
     * Whether {@code input} needs no render: a deterministic outcome of exactly this input is recorded (a redelivered
     * message changes nothing twice), or a render of a higher source sequence number is recorded for the same
     * generation — so that a render never publishes, for one generation, an older source artifact than one already
     * published (kustomize-controller never goes back to an older artifact of its source either).
     *
     * @return why not to render, or empty to render
     */
    Uni<Optional<String>> needless(RenderInput input) {
        return Panache.withSession(() -> RenderRecord.settled(input.objectKey(), input.generation(), input.revision(),
                        input.requestedAt(), input.includedRevisions(), input.inputDigest())
                .chain(settled -> settled ? Uni.createFrom().item(Optional.of("already rendered"))
                        : superseded(input)));
    }

    private Uni<Optional<String>> superseded(RenderInput input) {
        if (input.sourceSequence() == null) {
            return Uni.createFrom().item(Optional.empty());
        }
        return RenderRecord.highestSequence(input.objectKey(), input.generation())
                .map(highest -> highest != null && highest > input.sourceSequence()
                        ? Optional.of("a newer source artifact (sequence " + highest + ") is already rendered for generation "
                        + input.generation() + ", not going back to sequence " + input.sourceSequence())
                        : Optional.empty());
    }

    /**
     * Stores the bundle, writes the render record and adds the result to the outbox, in one transaction; then deletes
     * the object's old bundles in a second one ({@link #pruneOldBundles}). A bundle that may not be stored (a Secret and
     * no encryption key) turns the render into a retryable {@code BundleNotStored} failure.
     *
     * @return a Uni completing when committed (the relay publishes the result then) and old bundles were pruned (or
     *         their pruning failed, logged); failing with the database's failure, when nothing of the render is written
     */
    Uni<Void> record(RenderInput input, RenderOutcome rendered) {
        return record(input, rendered, null);
    }

    /**
     * As {@link #record(RenderInput, RenderOutcome)}, the result carrying {@code webhookReceivedAt}.
     *
     * @param webhookReceivedAt RFC 3339 time the webhook announcing the rendered revision was received, or null
     */
    Uni<Void> record(RenderInput input, RenderOutcome rendered, String webhookReceivedAt) {
        RenderOutcome outcome = rendered.bundle() == null ? rendered : bundleStore.refusal(rendered.bundle().content())
                .map(why -> RenderOutcome.retryable(BUNDLE_NOT_STORED, why)).orElse(rendered);
        String objectKey = input.objectKey();
        String revision = input.revision();
        RenderRecord r = new RenderRecord();
        r.inputDigest = input.inputDigest();
        r.objectKey = objectKey;
        r.generation = input.generation();
        r.sourceRevision = revision;
        r.sourceSequence = input.sourceSequence();
        r.requestedAt = input.requestedAt();
        r.includedRevisions = input.includedRevisions();
        r.bundleDigest = outcome.bundle() == null ? null : outcome.bundle().digest();
        r.reason = outcome.reason();
        r.error = outcome.message();
        r.deterministic = outcome.deterministic();
        r.renderedAt = OffsetDateTime.now(ZoneOffset.UTC);
        RenderResult result = new RenderResult(objectKey, input.generation(), revision.isEmpty() ? null : revision,
                r.bundleDigest, outcome.bundle() == null ? null : outcome.bundle().objectCount(),
                outcome.reason(), outcome.message(), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(),
                input.sourceSequence(), outcome.bundle() == null ? null : webhookReceivedAt);
        if (outcome.bundle() != null) {
            LOG.infof("%s rendered at %s: %d objects, %s", objectKey, revision, outcome.bundle().objectCount(), r.bundleDigest);
        } else {
            LOG.warnf("%s failed to render at %s: %s", objectKey, revision, outcome.message());
        }
        Bundle bundle = outcome.bundle();
        // Panache's static operations look up the session when called: build them inside the transaction.
        return Panache.withTransaction(() -> (bundle == null ? Uni.createFrom().voidItem()
                        : bundleStore.store(bundle.digest(), bundle.content(), bundle.objectCount()))
                        .chain(() -> r.persistAndFlush())
                        .chain(() -> outbox.add(Topics.RENDER_RESULTS, objectKey, result)))
                .invoke(() -> LOG.debugf("%s: recorded, in the outbox", objectKey))
                .call(() -> bundle == null ? Uni.createFrom().voidItem() : pruneOldBundles(objectKey));
    }

    /**
     * Deletes the bundles of {@code objectKey} that nothing keeps any more ({@link BundleStore#prune}), in a transaction
     * of its own after the render's: the relay publishes the result at that first commit, so the push does not wait for
     * the clean-up. A failure is logged; the next render of the object deletes them.
     */
    private Uni<Void> pruneOldBundles(String objectKey) {
        return Panache.withTransaction(() -> bundleStore.prune(objectKey)).replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("%s: old bundles not deleted, again after its next render: %s", objectKey, e.toString());
                    return null;
                });
    }
}
