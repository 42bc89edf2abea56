package io.conflux.notifier.persist;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.match.NotificationEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes the notifier's tables ({@code received_event}, {@code notification_delivery}) with Hibernate
 * Reactive. Every method must be subscribed on a Vert.x context (see {@link io.conflux.service.ReactiveRunner}); each runs
 * in its own transaction, so a record is durable when its Uni completes.
 */
@ApplicationScoped
public class DeliveryStore {
    @Inject
    ObjectMapper mapper;

    /**
     * Records an event as received; the same Kafka record received again (a redelivery) is ignored.
     *
     * @param partition Kafka partition of the record
     * @param offset    Kafka offset of the record
     * @param event     the event
     */
    public Uni<Void> recordReceived(int partition, long offset, FluxEvent event) {
        String metadata;
        try {
            metadata = mapper.writeValueAsString(event.metadata() == null ? Map.of() : event.metadata());
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        FluxEvent.InvolvedObject o = event.involvedObject();
        return Panache.withTransaction(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "INSERT INTO received_event (kafka_partition, kafka_offset, object_key, severity, reason, message,"
                                + " revision, reporting_controller, event_timestamp, metadata, received_at)"
                                + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                                + " ON CONFLICT (kafka_partition, kafka_offset) DO NOTHING")
                .setParameter(1, partition)
                .setParameter(2, offset)
                .setParameter(3, o.kind() + "/" + o.namespace() + "/" + o.name())
                .setParameter(4, event.severity())
                .setParameter(5, event.reason())
                .setParameter(6, event.message())
                .setParameter(7, NotificationEvent.revision(event))
                .setParameter(8, event.reportingController())
                .setParameter(9, event.timestamp())
                .setParameter(10, metadata)
                .setParameter(11, now())
                .executeUpdate())).replaceWithVoid();
    }

    /**
     * @param eventKey the event's duplicate key
     * @param alert    {@code namespace/name} of the Alert
     * @param since    start of the duplicate window
     * @return the newest {@code SENT} or {@code PENDING} delivery of that event for that Alert created since then
     */
    public Uni<Optional<DeliveryRecord>> latestLive(String eventKey, String alert, OffsetDateTime since) {
        return Panache.withSession(() -> DeliveryRecord.<DeliveryRecord>find(
                        "eventKey = ?1 and alert = ?2 and createdAt >= ?3 and status in (?4, ?5) order by createdAt desc",
                        eventKey, alert, since, DeliveryRecord.SENT, DeliveryRecord.PENDING)
                .firstResult()
                .map(Optional::ofNullable));
    }

    /**
     * Inserts a delivery row.
     *
     * @param record the row (id null); its timestamps are set to now
     * @return the row with its id
     */
    public Uni<DeliveryRecord> insert(DeliveryRecord record) {
        record.createdAt = now();
        record.updatedAt = record.createdAt;
        return Panache.withTransaction(() -> record.persist()).replaceWith(record);
    }

    /**
     * Records the outcome of a delivery.
     *
     * @param id         the delivery's id
     * @param status     {@link DeliveryRecord#SENT} or {@link DeliveryRecord#FAILED}
     * @param attempts   calls made by this sending (added to the ones already recorded)
     * @param lastStatus HTTP status of the last call, or null
     * @param lastError  error of the last call, or null
     */
    public Uni<Void> finish(long id, String status, int attempts, Integer lastStatus, String lastError) {
        return Panache.withTransaction(() -> DeliveryRecord.<DeliveryRecord>findById(id).invoke(r -> {
            r.status = status;
            r.attempts += attempts;
            r.lastStatus = lastStatus;
            r.lastError = lastError;
            r.updatedAt = now();
        })).replaceWithVoid();
    }

    /** @return the {@code limit} most recently updated deliveries, newest first */
    public Uni<List<DeliveryRecord>> recentDeliveries(int limit) {
        return Panache.withSession(() -> DeliveryRecord.<DeliveryRecord>find("order by updatedAt desc, id desc")
                .page(0, limit).list());
    }

    /** @return the {@code limit} most recently received events, newest first */
    public Uni<List<ReceivedEvent>> recentEvents(int limit) {
        return Panache.withSession(() -> ReceivedEvent.<ReceivedEvent>find("order by receivedAt desc, id desc")
                .page(0, limit).list());
    }

    /** @return all deliveries of an involved object ({@code Kind/namespace/name}), oldest first */
    public Uni<List<DeliveryRecord>> deliveriesOf(String objectKey) {
        return Panache.withSession(() -> DeliveryRecord.<DeliveryRecord>find("objectKey = ?1 order by id", objectKey).list());
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
