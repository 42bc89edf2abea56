package io.conflux.applier.persist;

import io.conflux.model.topic.RenderResult;
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
     * Stores {@code result} as the object's desired state unless the stored one supersedes it ({@link #keeps}).
     *
     * @return the desired state now stored
     */
    public static Uni<DesiredState> record(RenderResult result) {
        return DesiredState.<DesiredState>findById(result.object()).chain(existing -> {
            long generation = result.generation() == null ? 0 : result.generation();
            if (existing != null && existing.keeps(generation, result.sourceSequence())) {
                return Uni.createFrom().item(existing);
            }
            DesiredState s = existing == null ? new DesiredState() : existing;
            s.objectKey = result.object();
            s.generation = generation;
            s.sourceRevision = result.sourceRevision();
            s.bundleDigest = result.bundleDigest();
            s.sourceSequence = result.sourceSequence();
            s.objectCount = result.objectCount();
            s.reason = result.reason();
            s.error = result.error();
            s.updatedAt = OffsetDateTime.now();
            return existing == null ? s.<DesiredState>persist() : Uni.createFrom().item(s);
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
