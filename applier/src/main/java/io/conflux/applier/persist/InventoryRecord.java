package io.conflux.applier.persist;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Table {@code inventory}: per object, the objects it applied (Flux inventory ids and versions as a JSON array of
 * {@code {"id","v"}}) and what it last applied — the basis of pruning and of skipping a bundle already applied.
 */
@Entity
@Table(name = "inventory")
public class InventoryRecord extends PanacheEntityBase {
    /** {@code Kind/namespace/name}. */
    @Id
    public String objectKey;
    @Column(columnDefinition = "text")
    public String entries;
    public String appliedDigest;
    public long appliedGeneration;
    public String appliedRevision;
    /** The source sequence of the desired state applied last ({@link DesiredState#sourceSequence}), or null. */
    public Long appliedSequence;
    public OffsetDateTime updatedAt;

    /**
     * Inserts this row, or updates the stored one of its {@code objectKey}, with one {@code INSERT … ON CONFLICT DO
     * UPDATE} statement. Hibernate's merge of the row, read in another session, first selected it and then took its
     * update path, which the first push after a start ran for the first time (issue #17).
     *
     * @param session the transaction's session
     * @return a Uni completing once the statement ran
     */
    public Uni<Void> upsert(Mutiny.Session session) {
        return session.createNativeQuery("""
                        INSERT INTO inventory (object_key, entries, applied_digest, applied_generation, applied_revision,
                                               applied_sequence, updated_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                        ON CONFLICT (object_key) DO UPDATE SET entries = EXCLUDED.entries,
                            applied_digest = EXCLUDED.applied_digest, applied_generation = EXCLUDED.applied_generation,
                            applied_revision = EXCLUDED.applied_revision, applied_sequence = EXCLUDED.applied_sequence,
                            updated_at = EXCLUDED.updated_at""")
                .setParameter(1, objectKey)
                .setParameter(2, entries)
                .setParameter(3, appliedDigest)
                .setParameter(4, appliedGeneration)
                .setParameter(5, appliedRevision)
                .setParameter(6, appliedSequence)
                .setParameter(7, updatedAt)
                .executeUpdate()
                .replaceWithVoid();
    }
}
