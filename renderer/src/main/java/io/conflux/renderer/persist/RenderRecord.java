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
     * Revisions of the GitRepositories the source includes ({@code spec.include}), {@code <name>=<revision>} joined by
     * {@code ,}; empty without includes.
     */
    public String includedRevisions = "";
    public String bundleDigest;
    public String reason;
    @Column(columnDefinition = "text")
    public String error;
    /** Whether rendering the same input again would give the same outcome. */
    public boolean deterministic;
    public OffsetDateTime renderedAt;

    /** @return whether a deterministic outcome is recorded for exactly this input, without included sources */
    public static Uni<Boolean> settled(String objectKey, long generation, String sourceRevision, String requestedAt) {
        return settled(objectKey, generation, sourceRevision, requestedAt, "");
    }

    /** @return whether a deterministic outcome is recorded for exactly this input, included sources' revisions too */
    public static Uni<Boolean> settled(String objectKey, long generation, String sourceRevision, String requestedAt,
                                       String includedRevisions) {
        return count("objectKey = ?1 and generation = ?2 and sourceRevision = ?3 and requestedAt = ?4"
                        + " and includedRevisions = ?5 and deterministic = true",
                objectKey, generation, sourceRevision, requestedAt, includedRevisions).map(n -> n > 0);
    }
}
