package io.conflux.notifier.dispatch;

import io.conflux.model.fields.FieldSupport;
import io.conflux.model.fields.UnsupportedField;
import io.conflux.model.topic.FluxEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides the {@code UnsupportedField} event of one Flux object: the spec fields it carries that Conflux does not act
 * on, or does not know ({@link FieldSupport#unsupported}), as a Flux event with Kubernetes event type {@code Warning}
 * — Flux's severity {@code error} — and reason {@code UnsupportedField}, whose message names each field path with its
 * reason. Pure.
 */
public final class UnsupportedFieldEvents {
    /** The event's reason. */
    public static final String REASON = "UnsupportedField";
    /** The event's reporting controller. */
    public static final String CONTROLLER = "conflux-notifier";

    private UnsupportedFieldEvents() {
    }

    /**
     * @param object   the object as a JSON tree ({@code apiVersion}, {@code kind}, {@code metadata}, {@code spec})
     * @param instance the reporting replica
     * @return the event, or empty when Conflux acts on every field present
     */
    public static Optional<FluxEvent> of(Map<String, Object> object, String instance) {
        String kind = String.valueOf(object.get("kind"));
        String apiVersion = String.valueOf(object.get("apiVersion"));
        List<UnsupportedField> fields = FieldSupport.unsupported(kind, apiVersion, object);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        Map<?, ?> meta = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        FluxEvent.InvolvedObject involved = new FluxEvent.InvolvedObject(kind, text(meta.get("namespace")),
                text(meta.get("name")), text(meta.get("uid")), apiVersion, text(meta.get("resourceVersion")));
        return Optional.of(new FluxEvent(involved, FluxEvent.ERROR, Instant.now().toString(),
                FieldSupport.message(fields), REASON, null, CONTROLLER, instance));
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
