package io.conflux.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The transactional outbox: a service records "publish this Kafka record" in the same PostgreSQL transaction as
 * the state change it reports, so the two happen together or not at all; {@link OutboxRelay} publishes the rows.
 *
 * <p>The table is {@code conflux.outbox.table}, created by the service's own Flyway migration:
 * {@code CREATE TABLE <service>_outbox (id BIGSERIAL PRIMARY KEY, topic VARCHAR(255) NOT NULL,
 * record_key VARCHAR(1024) NOT NULL, value TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())}, and
 * {@code trace_context VARCHAR(512)} (migration {@code V<n>_2__outbox_trace_context.sql}): the W3C {@code traceparent}
 * of the span current when the row was added, null when tracing is off ({@link TraceContext}).
 */
@ApplicationScoped
public class Outbox {
    @Inject
    ObjectMapper mapper;

    @Inject
    OutboxRelay relay;

    /** For CDI. */
    public Outbox() {
    }

    /**
     * Inserts a row into the outbox inside the caller's Panache transaction (call it within
     * {@code Panache.withTransaction}), with {@link OutboxRelay#notifyStatement()} in the same transaction, so that
     * the commit wakes the listening relays and the record usually leaves right after it — at the latest after
     * {@code conflux.outbox.poll-interval}. The current span's
     * {@code traceparent} is kept with the row and sent as the record's header.
     *
     * @param topic the Kafka topic ({@code io.conflux.model.topic.Topics})
     * @param key   the record key ({@code Kind/namespace/name})
     * @param value the record value, serialized to JSON text with the service's ObjectMapper
     * @return a Uni completing once the row is inserted (not yet committed)
     * @throws IllegalStateException (as the Uni's failure) when {@code conflux.outbox.table} is not set
     */
    public Uni<Void> add(String topic, String key, Object value) {
        return add(topic, key, value, TraceContext.traceparent());
    }

    /**
     * As {@link #add(String, String, Object)}, with the record's trace parent given rather than the current span's.
     *
     * @param traceparent the W3C {@code traceparent} sent as the record's header, null for none
     */
    public Uni<Void> add(String topic, String key, Object value, String traceparent) {
        Optional<String> table = relay.table();
        if (table.isEmpty()) {
            return Uni.createFrom().failure(new IllegalStateException(
                    "conflux.outbox.table is not set: the service has no outbox table"));
        }
        String json;
        try {
            json = mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new IllegalArgumentException(
                    "cannot serialize the " + topic + " record of " + key + " to JSON", e));
        }
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "INSERT INTO " + table.get() + " (topic, record_key, value, trace_context) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, topic)
                .setParameter(2, key)
                .setParameter(3, json)
                .setParameter(4, traceparent)
                .executeUpdate()
                .chain(() -> s.createNativeQuery(relay.notifyStatement()).getSingleResult()))
                .replaceWithVoid();
    }
}
