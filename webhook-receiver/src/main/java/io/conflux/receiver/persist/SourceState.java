package io.conflux.receiver.persist;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code source_state}: per GitRepository ({@code GitRepository/<ns>/<name>}), the last revision resolved, for
 * which generation, why, and when its {@code conflux.source-revisions} record was added to the outbox
 * ({@code publishedAt}, set in the same transaction as the outbox row; null: recorded but not yet handed over, so it
 * is published on the next reconciliation). Call inside
 * {@code Panache.withSession}/{@code withTransaction}.
 */
@Entity
@Table(name = "source_state")
public class SourceState extends PanacheEntityBase {
    /** {@code GitRepository/<ns>/<name>}. */
    @Id
    @Column(name = "source_key")
    public String sourceKey;
    /** The GitRepository's {@code metadata.uid}, so a re-created object is not mistaken for the old one. */
    @Column(name = "source_uid")
    public String sourceUid;
    /** Flux revision, e.g. {@code main@sha1:<hex>}. */
    public String revision;
    /** {@code metadata.generation} the revision was resolved for. */
    public long generation;
    /** {@code webhook}, {@code poll} or {@code manual}. */
    @Column(name = "trigger_type")
    public String triggerType;
    /** Webhook delivery id, or null. */
    @Column(name = "delivery_id")
    public String deliveryId;
    /** When this revision was first seen (written as {@code artifact.lastUpdateTime}). */
    @Column(name = "observed_at")
    public OffsetDateTime observedAt;
    /** When its record was added to the outbox (the same transaction), or null. */
    @Column(name = "published_at")
    public OffsetDateTime publishedAt;

    /** @return the state of the source, or null when none was recorded */
    public static Uni<SourceState> find(String sourceKey) {
        return findById(sourceKey);
    }

    /**
     * Records a new revision (insert or replace), not yet published.
     *
     * @return the stored state
     */
    public static Uni<SourceState> record(String sourceKey, String sourceUid, String revision, long generation,
                                          String triggerType, String deliveryId, OffsetDateTime observedAt) {
        SourceState s = new SourceState();
        s.sourceKey = sourceKey;
        s.sourceUid = sourceUid;
        s.revision = revision;
        s.generation = generation;
        s.triggerType = triggerType;
        s.deliveryId = deliveryId;
        s.observedAt = observedAt;
        s.publishedAt = null;
        return Panache.getSession().chain(session -> session.merge(s));
    }

    /**
     * Marks the recorded revision as handed to the outbox (only if it is still the recorded one); call in the
     * transaction that adds the outbox row.
     *
     * @return the number of rows updated (0 or 1)
     */
    public static Uni<Integer> markPublished(String sourceKey, String revision, long generation, OffsetDateTime at) {
        return update("publishedAt = ?1 where sourceKey = ?2 and revision = ?3 and generation = ?4",
                at, sourceKey, revision, generation);
    }
}
