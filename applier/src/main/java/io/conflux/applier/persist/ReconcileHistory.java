package io.conflux.applier.persist;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code reconcile_history}: every reconciliation attempt — revision, duration, result and counts of
 * objects created, configured, deleted — shown by {@code conflux history}.
 */
@Entity
@Table(name = "reconcile_history")
public class ReconcileHistory extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String objectKey;
    public long generation;
    public String sourceRevision;
    public String bundleDigest;
    /** Flux reason of the outcome, e.g. {@code ReconciliationSucceeded}, {@code BuildFailed}. */
    public String reason;
    public boolean ready;
    @Column(columnDefinition = "text")
    public String message;
    public int created;
    public int configured;
    public int deleted;
    /** Wall time of the attempt in milliseconds. */
    public long durationMs;
    public OffsetDateTime startedAt;
}
