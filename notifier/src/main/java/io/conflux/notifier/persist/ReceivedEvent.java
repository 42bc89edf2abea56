package io.conflux.notifier.persist;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** Table {@code received_event}: each record of {@code conflux.events} as received, shown by {@code conflux events}. */
@Entity
@Table(name = "received_event")
public class ReceivedEvent extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public int kafkaPartition;
    public long kafkaOffset;
    /** {@code Kind/namespace/name} of the involved object. */
    public String objectKey;
    public String severity;
    public String reason;
    @Column(columnDefinition = "text")
    public String message;
    public String revision;
    public String reportingController;
    /** The event's own timestamp (RFC 3339, as sent). */
    public String eventTimestamp;
    /** The event's metadata as a JSON object. */
    @Column(columnDefinition = "text")
    public String metadata;
    public OffsetDateTime receivedAt;
}
