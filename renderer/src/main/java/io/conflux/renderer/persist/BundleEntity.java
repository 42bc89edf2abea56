package io.conflux.renderer.persist;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code bundle} (owned by the renderer, read by the applier): rendered bundles by content digest.
 * A digest is stored once; rendering the same content again reuses the row.
 */
@Entity
@Table(name = "bundle")
public class BundleEntity extends PanacheEntityBase {
    /** {@code sha256:<hex>} of {@link #content}. */
    @Id
    public String digest;
    /** JSON array of Kubernetes objects. */
    @Column(columnDefinition = "text")
    public String content;
    public int objectCount;
    public OffsetDateTime createdAt;

    /**
     * Inserts the bundle unless a row with its digest exists ({@code insert … on conflict do nothing}, so two renders
     * of identical content — two HelmReleases of the same chart and values, say — may store it concurrently); must
     * run inside a transaction.
     */
    public static Uni<Void> storeIfAbsent(String digest, String content, int objectCount) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into bundle (digest, content, object_count, created_at) values (:digest, :content, :count, :created)"
                                + " on conflict (digest) do nothing")
                .setParameter("digest", digest)
                .setParameter("content", content)
                .setParameter("count", objectCount)
                .setParameter("created", OffsetDateTime.now())
                .executeUpdate())
                .replaceWithVoid();
    }
}
