package io.conflux.renderer.persist;

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

    /** Inserts the bundle unless a row with its digest exists; must run inside a transaction. */
    public static Uni<Void> storeIfAbsent(String digest, String content, int objectCount) {
        return BundleEntity.<BundleEntity>findById(digest).chain(found -> {
            if (found != null) {
                return Uni.createFrom().voidItem();
            }
            BundleEntity b = new BundleEntity();
            b.digest = digest;
            b.content = content;
            b.objectCount = objectCount;
            b.createdAt = OffsetDateTime.now();
            return b.persist().replaceWithVoid();
        });
    }
}
