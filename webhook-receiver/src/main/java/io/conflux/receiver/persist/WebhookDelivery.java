package io.conflux.receiver.persist;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * Table {@code webhook_delivery}: webhook deliveries accepted, by the sender's delivery id
 * ({@code github:<X-GitHub-Delivery>}, {@code gitlab:<X-Gitlab-Event-UUID>}), remembered for good; the primary key
 * makes a redelivery or replay lose the race to claim it. Requests without a delivery id are not recorded (they are
 * processed every time, as Flux does). Call inside {@code Panache.withTransaction}.
 */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery extends PanacheEntityBase {
    /** The delivery key. */
    @Id
    @Column(name = "delivery_key")
    public String deliveryKey;
    /** {@code Receiver/<ns>/<name>}. */
    @Column(name = "receiver_key")
    public String receiverKey;
    /** Event type, e.g. {@code push}. */
    public String event;
    /** What the delivery did (JSON summary), null while in progress. */
    public String outcome;
    /** When it was accepted. */
    @Column(name = "received_at")
    public OffsetDateTime receivedAt;
    /** Always null now; earlier versions set it on request-signature keys, which V4 deleted. */
    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    /**
     * Claims a delivery key: inserts it unless present.
     *
     * @param now the time of the request
     * @return true when this call claimed the key, false when it was already there (a redelivery or replay)
     */
    public static Uni<Boolean> claim(String deliveryKey, String receiverKey, String event, OffsetDateTime now) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "INSERT INTO webhook_delivery (delivery_key, receiver_key, event, received_at) "
                                + "VALUES (:key, :receiver, :event, :at) ON CONFLICT (delivery_key) DO NOTHING")
                .setParameter("key", deliveryKey).setParameter("receiver", receiverKey)
                .setParameter("event", event).setParameter("at", now)
                .executeUpdate())
                .map(inserted -> inserted == 1);
    }

    /**
     * Releases a claim whose processing failed, so that the sender's retry is processed. Native SQL, as
     * {@link #claim} and {@link #complete}.
     *
     * @return the rows deleted (1, or 0 when the key was not claimed)
     */
    public static Uni<Integer> release(String deliveryKey) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "DELETE FROM webhook_delivery WHERE delivery_key = :key")
                .setParameter("key", deliveryKey)
                .executeUpdate());
    }

    /**
     * Stores what the delivery did. Native SQL, as {@link #claim}: an HQL statement is translated on its first use,
     * which a receiver did while its first push was on its way to the reconcile (issue #17, bench/README.md).
     *
     * @param outcome the JSON summary answered to the sender
     * @return the rows updated (1, or 0 when the key was not claimed)
     */
    public static Uni<Integer> complete(String deliveryKey, String outcome) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "UPDATE webhook_delivery SET outcome = :outcome WHERE delivery_key = :key")
                .setParameter("outcome", outcome).setParameter("key", deliveryKey)
                .executeUpdate());
    }
}
