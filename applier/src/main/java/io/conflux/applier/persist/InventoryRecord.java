package io.conflux.applier.persist;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

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
}
