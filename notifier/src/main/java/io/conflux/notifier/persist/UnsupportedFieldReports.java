package io.conflux.notifier.persist;

import io.conflux.model.topic.FluxEvent;
import io.conflux.model.topic.Topics;
import io.conflux.service.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Records that an object's {@code UnsupportedField} event was published for its generation (table
 * {@code unsupported_field_report}) and publishes it through the notifier's outbox in the same transaction, so each
 * object generation (and each re-created object, by uid) is reported once, across restarts and replicas. Reactive:
 * subscribe on a Vert.x context ({@link io.conflux.service.ReactiveRunner}).
 */
@ApplicationScoped
public class UnsupportedFieldReports {
    @Inject
    Outbox outbox;

    /**
     * @param key        the object key, {@code Kind/namespace/name}
     * @param uid        the object's uid
     * @param generation the object's {@code metadata.generation}
     * @param event      the event to publish on {@code conflux.events}
     * @return true when the event was published (queued in the outbox), false when this generation was reported before
     */
    public Uni<Boolean> reportOnce(String key, String uid, long generation, FluxEvent event) {
        return reportOnce(key, key, uid, generation, event);
    }

    /**
     * As {@link #reportOnce(String, String, long, FluxEvent)} for a report other than the unsupported fields of an
     * object (e.g. a Provider's {@code InvalidConfig}), recorded under its own key.
     *
     * @param report     the report's key in the table, e.g. {@code Provider/ns/name#InvalidConfig}
     * @param key        the object key, {@code Kind/namespace/name}: the record key on {@code conflux.events}
     * @param uid        the object's uid
     * @param generation the object's {@code metadata.generation}
     * @param event      the event to publish on {@code conflux.events}
     * @return true when the event was published (queued in the outbox), false when this generation was reported before
     */
    public Uni<Boolean> reportOnce(String report, String key, String uid, long generation, FluxEvent event) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "INSERT INTO unsupported_field_report (object_key, uid, generation, fields) VALUES (?1, ?2, ?3, ?4) "
                                + "ON CONFLICT (object_key) DO UPDATE SET uid = EXCLUDED.uid, generation = EXCLUDED.generation, "
                                + "fields = EXCLUDED.fields, reported_at = now() WHERE unsupported_field_report.uid <> EXCLUDED.uid "
                                + "OR unsupported_field_report.generation < EXCLUDED.generation")
                .setParameter(1, report)
                .setParameter(2, uid)
                .setParameter(3, generation)
                .setParameter(4, event.message())
                .executeUpdate())
                .chain(changed -> changed == 0 ? Uni.createFrom().item(false)
                        : outbox.add(Topics.EVENTS, key, event).replaceWith(true)));
    }

    /**
     * Forgets a report (the object is usable again), so that the next problem of the same generation is reported.
     *
     * @param report the report's key, as given to {@link #reportOnce(String, String, String, long, FluxEvent)}
     * @return true when there was one
     */
    public Uni<Boolean> forget(String report) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "DELETE FROM unsupported_field_report WHERE object_key = ?1")
                .setParameter(1, report)
                .executeUpdate()))
                .map(deleted -> deleted > 0);
    }
}
