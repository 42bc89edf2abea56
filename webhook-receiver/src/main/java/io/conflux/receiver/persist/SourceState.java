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
     * Records a new revision (insert or replace), not yet published: one {@code INSERT … ON CONFLICT DO UPDATE}
     * statement, rather than Hibernate's merge (a select, then an insert or an update), since every reconcile that
     * finds a new revision writes it, a webhook's among them.
     *
     * @return the number of rows written (1)
     */
    public static Uni<Integer> record(String sourceKey, String sourceUid, String revision, long generation,
                                      String triggerType, String deliveryId, OffsetDateTime observedAt) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        INSERT INTO source_state (source_key, source_uid, revision, generation, trigger_type, delivery_id,
                                                  observed_at, published_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)
                        ON CONFLICT (source_key) DO UPDATE SET source_uid = EXCLUDED.source_uid,
                            revision = EXCLUDED.revision, generation = EXCLUDED.generation,
                            trigger_type = EXCLUDED.trigger_type, delivery_id = EXCLUDED.delivery_id,
                            observed_at = EXCLUDED.observed_at, published_at = NULL""")
                .setParameter(1, sourceKey)
                .setParameter(2, sourceUid)
                .setParameter(3, revision)
                .setParameter(4, generation)
                .setParameter(5, triggerType)
                .setParameter(6, deliveryId)
                .setParameter(7, observedAt)
                .executeUpdate());
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
