package io.conflux.notifier.persist;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code notification_delivery}: one notification of one event for one Alert through its Provider — state,
 * attempts, last HTTP status and error — shown by {@code conflux deliveries}. Also what duplicate suppression looks up.
 */
@Entity
@Table(name = "notification_delivery")
public class DeliveryRecord extends PanacheEntityBase {
    /** Being sent, or interrupted by a crash (resent when the event comes again). */
    public static final String PENDING = "PENDING";
    /** A call got a 2xx response. */
    public static final String SENT = "SENT";
    /** Retries exhausted or the Provider unusable; the event went to the dead-letter topic. */
    public static final String FAILED = "FAILED";
    /** Same event for the same Alert already sent within the duplicate window; not sent again. */
    public static final String DUPLICATE = "DUPLICATE";
    /** The provider type does not send this event (e.g. a commit status without a commit revision). */
    public static final String DROPPED = "DROPPED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    /** {@link io.conflux.notifier.match.NotificationEvent#duplicateKey} of the event. */
    public String eventKey;
    /** {@code Kind/namespace/name} of the involved object. */
    public String objectKey;
    public String reason;
    @Column(columnDefinition = "text")
    public String message;
    public String revision;
    /** {@code namespace/name} of the Alert. */
    public String alert;
    /** {@code namespace/name} of the Provider. */
    public String provider;
    public String providerType;
    public String status;
    public int attempts;
    /** HTTP status of the last call, null when it got no response. */
    public Integer lastStatus;
    @Column(columnDefinition = "text")
    public String lastError;
    public OffsetDateTime createdAt;
    public OffsetDateTime updatedAt;
}
