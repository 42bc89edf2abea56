package io.conflux.notifier.kubeevent;

import io.conflux.model.topic.FluxEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes Event ({@code events.k8s.io/v1}) of one Conflux event ({@link FluxEvent} on {@code conflux.events}),
 * decided without touching the API server: what to create for a first occurrence, and how a repeat updates it.
 *
 * <p>As Flux's controllers record their events (fluxcd/pkg {@code runtime/events}, through client-go's recorder):
 * {@code regarding} is the involved object, {@code type} is {@code Warning} for severity {@code error} and
 * {@code Normal} otherwise, {@code reason} is Flux's reason ({@code ReconciliationSucceeded},
 * {@code HealthCheckFailed}, …), {@code note} the message (cut to the API's 1024 bytes), the event's metadata
 * ({@code kustomize.toolkit.fluxcd.io/revision}, …) the Event's annotations, {@code reportingController} and
 * {@code reportingInstance} those of the event (the applier's {@code conflux.applier.reporting-controller}), and
 * {@code action} the reason (the field is required by {@code events.k8s.io/v1}; Flux's core/v1 events leave it empty).
 *
 * <p>Repeats are counted as client-go's event series: the same (object, type, reason, note, controller) again turns
 * the Event into a series ({@code series.count} 2, 3, …, {@code series.lastObservedTime}). Unlike client-go, whose
 * Event names carry a timestamp, the name is derived from that identity ({@code <object name>.<16 hex>}), so a
 * record redelivered by Kafka finds its Event; it counts only when its time is after the Event's last observation,
 * so a redelivery (same time) counts nothing twice.
 */
public final class KubeEvent {
    /** {@code metav1.MicroTime}'s format. */
    static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);
    /** Longest {@code note} the API server accepts, in bytes. */
    static final int NOTE_LIMIT = 1024;
    /** Longest {@code reportingController}, {@code reportingInstance}, {@code action} and {@code reason}. */
    static final int FIELD_LIMIT = 128;

    private KubeEvent() {
    }

    /**
     * @param event a Conflux event with an involved object
     * @return the namespace of its Event: the involved object's, {@code default} for a cluster-scoped one
     */
    public static String namespace(FluxEvent event) {
        String ns = event.involvedObject().namespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    /**
     * @param event a Conflux event with an involved object
     * @return the Event's name: {@code <object name>.<16 hex of the identity's SHA-256>}
     */
    public static String name(FluxEvent event) {
        FluxEvent.InvolvedObject o = event.involvedObject();
        String identity = String.join("\n", nz(o.kind()), nz(o.namespace()), nz(o.name()), nz(o.uid()), type(event),
                nz(event.reason()), note(event), controller(event));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            String prefix = nz(o.name()).isEmpty() ? "conflux" : o.name();
            return prefix + "." + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * @param event             the Conflux event
     * @param defaultController {@code reportingController} when the event names none
     * @param defaultInstance   {@code reportingInstance} when the event names none
     * @return the Event to create for a first occurrence, as a map ready for the API server
     */
    public static Map<String, Object> create(FluxEvent event, String defaultController, String defaultInstance) {
        FluxEvent.InvolvedObject o = event.involvedObject();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name(event));
        metadata.put("namespace", namespace(event));
        if (event.metadata() != null && !event.metadata().isEmpty()) {
            metadata.put("annotations", new LinkedHashMap<>(event.metadata()));
        }
        Map<String, Object> regarding = new LinkedHashMap<>();
        put(regarding, "apiVersion", o.apiVersion());
        put(regarding, "kind", o.kind());
        put(regarding, "namespace", o.namespace());
        put(regarding, "name", o.name());
        put(regarding, "uid", o.uid());
        put(regarding, "resourceVersion", o.resourceVersion());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", "events.k8s.io/v1");
        body.put("kind", "Event");
        body.put("metadata", metadata);
        body.put("eventTime", MICRO_TIME.format(time(event)));
        body.put("reportingController", cut(controller(event).isEmpty() ? defaultController : controller(event)));
        body.put("reportingInstance", cut(nz(event.reportingInstance()).isEmpty() ? defaultInstance
                : event.reportingInstance()));
        body.put("action", cut(nz(event.reason()).isEmpty() ? "Reconcile" : event.reason()));
        body.put("reason", cut(nz(event.reason()).isEmpty() ? "Unknown" : event.reason()));
        body.put("regarding", regarding);
        body.put("note", note(event));
        body.put("type", type(event));
        return body;
    }

    /**
     * A repeat of an existing Event.
     *
     * @param existing the Event on the API server (its {@code eventTime} and {@code series}, if any)
     * @param event    the repeated Conflux event
     * @return the merge patch turning the Event into a series one longer, or empty when {@code event} is not after
     *         the Event's last observation (a redelivered record)
     */
    public static Optional<Map<String, Object>> repeat(Map<String, Object> existing, FluxEvent event) {
        Instant at = time(event);
        Object series = existing.get("series");
        long count = 1;
        Instant last = parse(String.valueOf(existing.get("eventTime")));
        if (series instanceof Map<?, ?> s) {
            count = s.get("count") instanceof Number n ? n.longValue() : 1;
            Instant observed = parse(String.valueOf(s.get("lastObservedTime")));
            if (observed != null) {
                last = observed;
            }
        }
        if (last != null && !at.isAfter(last)) {
            return Optional.empty();
        }
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("count", count + 1);
        next.put("lastObservedTime", MICRO_TIME.format(at));
        return Optional.of(Map.of("series", next));
    }

    /** @return {@code Warning} for severity {@code error}, else {@code Normal} */
    static String type(FluxEvent event) {
        return FluxEvent.ERROR.equals(event.severity()) ? "Warning" : "Normal";
    }

    /** @return the message, cut to {@link #NOTE_LIMIT} bytes of UTF-8 on a character boundary */
    static String note(FluxEvent event) {
        String message = nz(event.message());
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= NOTE_LIMIT) {
            return message;
        }
        int end = fittingPrefix(message, NOTE_LIMIT - 3);
        if (end > 0 && Character.isHighSurrogate(message.charAt(end - 1))) {
            end--;
        }
        return message.substring(0, end) + "...";
    }

    /**
     * One pass over {@code s} instead of encoding every shorter prefix in turn, which cost O(length²): the message of a
     * Kustomization applying N objects lists them all, ~100 KiB at N = 2,000, and cutting it took ~6% of the services'
     * CPU in the MTTP benchmark (bench/README.md).
     *
     * @param s     the text
     * @param limit bytes
     * @return the largest {@code end} such that {@code s.substring(0, end).getBytes(UTF_8)} is at most {@code limit}
     *         bytes long, counting as {@code String.getBytes} encodes: a surrogate pair 4 bytes, a lone surrogate 1
     *         ({@code ?}), so that a cut between the two halves of a pair is found as the quadratic loop found it
     */
    static int fittingPrefix(String s, int limit) {
        int bytes = 0;
        int end = 0;
        while (end < s.length()) {
            char c = s.charAt(end);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && end + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(end + 1))) {
                if (bytes + 4 > limit) {
                    // the prefix ending between the halves encodes the high one alone, as '?'
                    return bytes + 1 <= limit ? end + 1 : end;
                }
                width = 4;
                chars = 2;
            } else if (Character.isSurrogate(c)) {
                width = 1;
            } else {
                width = 3;
            }
            if (bytes + width > limit) {
                return end;
            }
            bytes += width;
            end += chars;
        }
        return end;
    }

    /** @return the event's time, now when it has none or an unreadable one */
    static Instant time(FluxEvent event) {
        Instant t = parse(event.timestamp());
        return t == null ? Instant.now() : t;
    }

    private static String controller(FluxEvent event) {
        return nz(event.reportingController());
    }

    private static Instant parse(String text) {
        if (text == null || text.isEmpty() || text.equals("null")) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String cut(String value) {
        return value.length() <= FIELD_LIMIT ? value : value.substring(0, FIELD_LIMIT);
    }

    private static void put(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }
}
