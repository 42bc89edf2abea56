package io.conflux.notifier.persist;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.dispatch.DeliveryDecision;
import io.conflux.notifier.match.NotificationEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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
     * A decision taken on a (identity, Alert) pair and the row it concerns.
     *
     * @param decision what to do
     * @param row      the row to send and finish ({@code SEND}, {@code RESUME}, {@code RESEND}: {@code PENDING} and
     *                 owned by the caller), the {@code DUPLICATE} row written, or the row decided on
     *                 ({@code RECORD}, {@code IN_FLIGHT}, unchanged)
     */
    public record Claim(DeliveryDecision decision, DeliveryRecord row) {
    }

    /**
     * Decides, in one transaction holding a PostgreSQL advisory lock of the (identity, Alert) pair, what becomes of a
     * notification, and writes it: a new {@code PENDING} row owned by {@code self} ({@code SEND}), a
     * {@code DUPLICATE} row ({@code DUPLICATE}), the row taken over as {@code PENDING} by {@code self}
     * ({@code RESUME}; {@code RESEND} also counts one more {@code resends}), or nothing. Two consumers claiming the
     * same pair at once decide one after the other, so at most one of them sends.
     *
     * @param template the row to insert (identity, object, event fields, Alert, Provider; id null)
     * @param self     this process's instance id
     * @param decide   the decision, given the newest {@code PENDING}, {@code RETRYING} or {@code SENT} row of the pair
     * @return the decision and its row
     */
    public Uni<Claim> claim(DeliveryRecord template, String self,
                            Function<Optional<DeliveryRecord>, DeliveryDecision> decide) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(?1)) AS locked")
                        .setParameter(1, lockKey(template.identity, template.alert)).getSingleResult())
                .chain(locked -> latest(template.identity, template.alert))
                .chain(found -> apply(decide.apply(Optional.ofNullable(found)), found, template, self)));
    }

    private static Uni<DeliveryRecord> latest(String identity, String alert) {
        return DeliveryRecord.<DeliveryRecord>find(
                        "identity = ?1 and alert = ?2 and status in (?3, ?4, ?5) order by id desc",
                        identity, alert, DeliveryRecord.PENDING, DeliveryRecord.RETRYING, DeliveryRecord.SENT)
                .firstResult();
    }

    private static Uni<Claim> apply(DeliveryDecision decision, DeliveryRecord found, DeliveryRecord template,
                                    String self) {
        OffsetDateTime now = now();
        return switch (decision.kind()) {
            case SEND, DUPLICATE -> {
                boolean send = decision.kind() == DeliveryDecision.Kind.SEND;
                template.status = send ? DeliveryRecord.PENDING : DeliveryRecord.DUPLICATE;
                template.owner = send ? self : null;
                template.createdAt = now;
                template.updatedAt = now;
                yield template.persist().replaceWith(new Claim(decision, template));
            }
            case RESUME, RESEND -> {
                found.status = DeliveryRecord.PENDING;
                found.owner = self;
                found.updatedAt = now;
                if (decision.kind() == DeliveryDecision.Kind.RESEND) {
                    found.resends++;
                }
                yield Uni.createFrom().item(new Claim(decision, found));
            }
            case RECORD, IN_FLIGHT -> Uni.createFrom().item(new Claim(decision, found));
        };
    }

    /** @return the advisory lock of an (identity, Alert) pair: the first 8 bytes of SHA-256 over both */
    static long lockKey(String identity, String alert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((identity + "\n" + alert).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /**
     * The figures of exactly-once notification, for the fault-injection suite and operators: how many rows of
     * {@code notification_delivery} are in each status, and how many at-least-once duplicates there may have been.
     *
     * @param sent       {@code SENT} rows: notifications delivered
     * @param duplicates {@code DUPLICATE} rows: repeats recognised and not posted (redeliveries, republished events)
     * @param resends    sum of {@code resends}: sendings begun again after an interruption whose outcome was never
     *                   recorded, each of which may have posted a notification twice
     * @param failed     {@code FAILED} rows
     * @param retrying   {@code RETRYING} rows: waiting for their Provider to come back
     * @param pending    {@code PENDING} rows: being sent, or interrupted and not yet taken over
     */
    public record Summary(long sent, long duplicates, long resends, long failed, long retrying, long pending) {
    }

    /** @return the counts of all deliveries recorded */
    public Uni<Summary> summary() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT count(*) FILTER (WHERE status = 'SENT'), count(*) FILTER (WHERE status = 'DUPLICATE'),"
                                + " coalesce(sum(resends), 0), count(*) FILTER (WHERE status = 'FAILED'),"
                                + " count(*) FILTER (WHERE status = 'RETRYING'), count(*) FILTER (WHERE status = 'PENDING')"
                                + " FROM notification_delivery", Object[].class)
                .getSingleResult()))
                .map(r -> new Summary(number(r[0]), number(r[1]), number(r[2]), number(r[3]), number(r[4]),
                        number(r[5])));
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
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
     * @param status     {@link DeliveryRecord#SENT}, {@link DeliveryRecord#FAILED} or {@link DeliveryRecord#RETRYING}
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
