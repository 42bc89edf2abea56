package io.conflux.renderer.persist;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code render_record}: one row per render of an object at a (generation, source revision,
 * {@code reconcile.fluxcd.io/requestedAt}, included sources' revisions) — the renderer's idempotency record and its
 * history.
 */
@Entity
@Table(name = "render_record")
public class RenderRecord extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    /** {@code Kind/namespace/name}. */
    public String objectKey;
    public long generation;
    /** Source revision, empty when the object has no source revision (e.g. unsupported kinds). */
    public String sourceRevision;
    /** Value of the requestedAt annotation, empty when absent. */
    public String requestedAt;
    /**
     * Digest of inputs the generation and revision do not capture (a HelmRelease's merged values, {@code sha256:<hex>}),
     * empty when there are none.
     */
    public String inputDigest = "";
    /**
     * Revisions of the GitRepositories the source includes ({@code spec.include}), {@code <name>=<revision>} joined by
     * {@code ,}; empty without includes.
     */
    public String includedRevisions = "";
    /**
     * The sequence number of the source artifact rendered ({@code source_artifact.sequence}), null when the render read
     * none (a chart from a HelmRepository, a failure before any source).
     */
    public Long sourceSequence;
    public String bundleDigest;
    public String reason;
    @Column(columnDefinition = "text")
    public String error;
    /** Whether rendering the same input again would give the same outcome. */
    public boolean deterministic;
    public OffsetDateTime renderedAt;

    /**
     * @param includedRevisions revisions of the source's included GitRepositories ({@link #includedRevisions}), or empty
     * @param inputDigest       digest of inputs outside generation and revision ({@link #inputDigest}), or empty
     * @return whether a deterministic outcome is recorded for exactly this input
     */
    public static Uni<Boolean> settled(String objectKey, long generation, String sourceRevision, String requestedAt,
                                       String includedRevisions, String inputDigest) {
        return count("objectKey = ?1 and generation = ?2 and sourceRevision = ?3 and requestedAt = ?4"
                        + " and includedRevisions = ?5 and inputDigest = ?6 and deterministic = true",
                objectKey, generation, sourceRevision, requestedAt, includedRevisions, inputDigest).map(n -> n > 0);
    }

    /**
     * @return the highest source sequence number recorded (so published) for {@code objectKey} at {@code generation};
     *         null item when none is
     */
    public static Uni<Long> highestSequence(String objectKey, long generation) {
        return io.quarkus.hibernate.reactive.panache.Panache.getSession().chain(session -> session.createQuery(
                        "select max(r.sourceSequence) from RenderRecord r where r.objectKey = ?1 and r.generation = ?2",
                        Long.class)
                .setParameter(1, objectKey)
                .setParameter(2, generation)
                .getSingleResultOrNull());
    }
}
