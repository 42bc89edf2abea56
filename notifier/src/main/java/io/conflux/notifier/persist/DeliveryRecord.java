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
 * attempts, last HTTP status and error — shown by {@code conflux deliveries}. Also what duplicate suppression looks up
 * ({@code dispatch.DeliveryDecision}).
 */
@Entity
@Table(name = "notification_delivery")
public class DeliveryRecord extends PanacheEntityBase {
    /** Being sent, or interrupted by a crash (resent when the event comes again, see {@code dispatch.DeliveryDecision}). */
    public static final String PENDING = "PENDING";
    /** A call got a 2xx response. */
    public static final String SENT = "SENT";
    /**
     * The Provider refused it (a 4xx other than 429, a request that cannot be made) or cannot be used (missing
     * Provider or Secret, invalid address); not retried, not dead-lettered.
     */
    public static final String FAILED = "FAILED";
    /**
     * The Provider was unreachable or answered 429/5xx through the whole retry policy; nothing was delivered, and the
     * event is retried (a transient failure, never dead-lettered) until it is.
     */
    public static final String RETRYING = "RETRYING";
    /**
     * Same identity for the same Alert already sent (for an event without revision: within the duplicate window); not
     * sent again. Each such row is one duplicate suppressed (a redelivery, a republished event).
     */
    public static final String DUPLICATE = "DUPLICATE";
    /** The provider type does not send this event (e.g. a commit status without a commit revision). */
    public static final String DROPPED = "DROPPED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    /** {@link io.conflux.notifier.match.NotificationEvent#identity} of the event (column {@code identity}). */
    public String identity;
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
    /** The instance id of the process that began the current sending of a {@code PENDING} row. */
    public String owner;
    /**
     * Sendings begun again after an interruption whose outcome was never recorded; each may have posted the
     * notification twice (an at-least-once duplicate).
     */
    public int resends;
    public OffsetDateTime createdAt;
    public OffsetDateTime updatedAt;
}
