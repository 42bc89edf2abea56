package io.conflux.notifier.consume;

import io.conflux.notifier.dispatch.NotifierConfig;
import io.conflux.notifier.persist.DeliveryRecord;
import io.conflux.notifier.persist.DeliveryStore;
import io.conflux.notifier.persist.ReceivedEvent;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Read API for the CLI's {@code conflux deliveries} and {@code conflux events}: JSON arrays, newest first.
 * {@code limit} defaults to {@code conflux.notifier.default-list-limit} and may not exceed
 * {@code conflux.notifier.max-list-limit}; a limit below 1 or above that is answered with {@code 400}.
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class DeliveryApi {
    @Inject
    DeliveryStore store;
    @Inject
    NotifierConfig config;

    /**
     * One notification of an event for an Alert.
     *
     * @param id         row id
     * @param object     {@code Kind/namespace/name} of the involved object
     * @param reason     event reason
     * @param message    event message
     * @param revision   the object's revision, when the event carried one
     * @param alert      {@code namespace/name} of the Alert
     * @param provider   {@code namespace/name} of the Provider
     * @param type       provider type
     * @param status     {@code PENDING}, {@code SENT}, {@code FAILED}, {@code RETRYING}, {@code DUPLICATE}
     * @param attempts   HTTP calls made
     * @param lastStatus HTTP status of the last call, or null
     * @param lastError  error of the last call, or null
     * @param identity   the notification's identity (SHA-256 hex of object, revision, reason, severity, message)
     * @param resends    sendings begun again after an interruption (possible at-least-once duplicates)
     * @param createdAt  RFC 3339
     * @param updatedAt  RFC 3339
     */
    public record Delivery(long id, String object, String reason, String message, String revision, String alert,
                           String provider, String type, String status, int attempts, Integer lastStatus,
                           String lastError, String identity, int resends, String createdAt, String updatedAt) {
        static Delivery of(DeliveryRecord r) {
            return new Delivery(r.id, r.objectKey, r.reason, r.message, r.revision, r.alert, r.provider,
                    r.providerType, r.status, r.attempts, r.lastStatus, r.lastError, r.identity, r.resends,
                    r.createdAt.toString(),
                    r.updatedAt.toString());
        }
    }

    /**
     * An event as received from {@code conflux.events}.
     *
     * @param id                  row id
     * @param object              {@code Kind/namespace/name} of the involved object
     * @param severity            {@code info} or {@code error}
     * @param reason              event reason
     * @param message             event message
     * @param revision            the object's revision, when the event carried one
     * @param reportingController who emitted it
     * @param timestamp           the event's own timestamp
     * @param receivedAt          when the notifier received it, RFC 3339
     */
    public record Event(long id, String object, String severity, String reason, String message, String revision,
                        String reportingController, String timestamp, String receivedAt) {
        static Event of(ReceivedEvent e) {
            return new Event(e.id, e.objectKey, e.severity, e.reason, e.message, e.revision, e.reportingController,
                    e.eventTimestamp, e.receivedAt.toString());
        }
    }

    /**
     * @param limit how many, 1 to {@code conflux.notifier.max-list-limit}; absent: the default list limit
     * @return the most recently updated deliveries
     */
    @GET
    @Path("/deliveries")
    public Uni<List<Delivery>> deliveries(@QueryParam("limit") Integer limit) {
        return store.recentDeliveries(checked(limit)).map(rows -> rows.stream().map(Delivery::of).toList());
    }

    /**
     * {@code GET /api/deliveries/summary}: the figures of exactly-once notification over all recorded deliveries,
     * {@code {"sent", "duplicates", "resends", "failed", "retrying", "pending"}} — {@code duplicates} counts the
     * repeats recognised and not posted, {@code resends} the sendings begun again after an interruption, each a
     * possible at-least-once duplicate ({@link DeliveryStore.Summary}).
     *
     * @return the counts
     */
    @GET
    @Path("/deliveries/summary")
    public Uni<DeliveryStore.Summary> summary() {
        return store.summary();
    }

    /**
     * @param limit how many, 1 to {@code conflux.notifier.max-list-limit}; absent: the default list limit
     * @return the most recently received events
     */
    @GET
    @Path("/events")
    public Uni<List<Event>> events(@QueryParam("limit") Integer limit) {
        return store.recentEvents(checked(limit)).map(rows -> rows.stream().map(Event::of).toList());
    }

    private int checked(Integer requested) {
        int limit = requested == null ? config.defaultListLimit() : requested;
        if (limit < 1 || limit > config.maxListLimit()) {
            throw new BadRequestException("limit must be between 1 and " + config.maxListLimit());
        }
        return limit;
    }
}
