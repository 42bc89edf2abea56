package io.conflux.applier.persist;

import io.conflux.model.topic.RenderResult;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code desired_state}: the latest render result per object, kept so that an object waiting on
 * {@code dependsOn} is applied from it the moment its dependencies turn Ready.
 */
@Entity
@Table(name = "desired_state")
public class DesiredState extends PanacheEntityBase {
    /** {@code Kind/namespace/name}. */
    @Id
    public String objectKey;
    public long generation;
    public String sourceRevision;
    public String bundleDigest;
    /**
     * The renderer's sequence of the source artifact rendered ({@code RenderResult.sourceSequence}): grows with every
     * revision of the source; null when the source has no such order (a HelmRepository chart, a failure).
     */
    public Long sourceSequence;
    public Integer objectCount;
    public String reason;
    @Column(columnDefinition = "text")
    public String error;
    public OffsetDateTime updatedAt;

    /**
     * Stores {@code result} as the object's desired state unless the stored one supersedes it ({@link #keeps}): reads
     * the stored one, then writes the result with one {@code INSERT … ON CONFLICT DO UPDATE} statement rather than
     * through Hibernate's dirty checking, whose update path every render result but an object's first takes (the first
     * push after a start ran it for the first time, issue #17). Call inside {@code Panache.withTransaction}.
     *
     * @return whether the result was stored (false: the stored desired state is kept)
     */
    public static Uni<Boolean> record(RenderResult result) {
        long generation = result.generation() == null ? 0 : result.generation();
        return DesiredState.<DesiredState>findById(result.object()).chain(existing -> {
            if (existing != null && existing.keeps(generation, result.sourceSequence())) {
                return Uni.createFrom().item(false);
            }
            return Panache.getSession().chain(session -> session.createNativeQuery("""
                            INSERT INTO desired_state (object_key, generation, source_revision, bundle_digest,
                                                       source_sequence, object_count, reason, error, updated_at)
                            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                            ON CONFLICT (object_key) DO UPDATE SET generation = EXCLUDED.generation,
                                source_revision = EXCLUDED.source_revision, bundle_digest = EXCLUDED.bundle_digest,
                                source_sequence = EXCLUDED.source_sequence, object_count = EXCLUDED.object_count,
                                reason = EXCLUDED.reason, error = EXCLUDED.error, updated_at = EXCLUDED.updated_at""")
                    .setParameter(1, result.object())
                    .setParameter(2, generation)
                    .setParameter(3, result.sourceRevision())
                    .setParameter(4, result.bundleDigest())
                    .setParameter(5, result.sourceSequence())
                    .setParameter(6, result.objectCount())
                    .setParameter(7, result.reason())
                    .setParameter(8, result.error())
                    .setParameter(9, OffsetDateTime.now())
                    .executeUpdate()
                    .map(rows -> true));
        });
    }

    /**
     * Whether this stored desired state is kept over a render result of {@code generation} and {@code sequence}: when
     * it is of a newer generation, or of the same generation and a higher source sequence (an older revision arriving
     * late, e.g. a spec edit racing a new revision: (gen N, r2) then (gen N, r1)). When either sequence is unknown
     * (null), the generation alone decides, as before sequences existed.
     *
     * @param generation the result's {@code metadata.generation}
     * @param sequence   the result's {@code sourceSequence}, or null
     * @return true to keep this one, false to replace it by the result
     */
    public boolean keeps(long generation, Long sequence) {
        if (this.generation != generation) {
            return this.generation > generation;
        }
        return sourceSequence != null && sequence != null && sourceSequence > sequence;
    }
}
