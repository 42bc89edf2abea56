package io.conflux.notifier.dispatch;

import io.conflux.model.topic.FluxEvent;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Instant;
import java.util.Map;

/**
 * Decides the event reporting a {@code Provider} or {@code Alert} the notifier cannot use. Flux's
 * {@code notification.toolkit.fluxcd.io/v1beta3} Providers and Alerts have no status (notification-controller made
 * them static objects in Flux 2.1): notification-controller reports such an object as a Kubernetes Event of type
 * {@code Warning} on it, reason {@code InvalidConfig} for a configuration it cannot use (its
 * {@code internal/server/event_handlers.go}). This is that event as a Flux event of severity {@code error}
 * (so the notifier's Kubernetes Event writer makes it a {@code Warning}), carrying the object's generation in the
 * metadata key {@value #GENERATION} (an annotation of the Kubernetes Event), which {@code conflux check} compares
 * with the object's. Pure.
 */
public final class InvalidConfigEvents {
    /** The event's reason, notification-controller's for a configuration it cannot use. */
    public static final String REASON = "InvalidConfig";
    /** Metadata key (Kubernetes Event annotation) holding the object generation the verdict is about. */
    public static final String GENERATION = "notification.toolkit.fluxcd.io/generation";

    private InvalidConfigEvents() {
    }

    /**
     * @param object   the Provider or Alert (kind, apiVersion and metadata are read)
     * @param problem  why it cannot be used (names the field or Secret, never a secret value)
     * @param instance the reporting replica
     * @return the event, involved object the Provider or Alert
     */
    public static FluxEvent of(HasMetadata object, String problem, String instance) {
        var meta = object.getMetadata();
        long generation = meta.getGeneration() == null ? 0 : meta.getGeneration();
        FluxEvent.InvolvedObject involved = new FluxEvent.InvolvedObject(object.getKind(), meta.getNamespace(),
                meta.getName(), meta.getUid(), object.getApiVersion(), meta.getResourceVersion());
        return new FluxEvent(involved, FluxEvent.ERROR, Instant.now().toString(), problem, REASON,
                Map.of(GENERATION, Long.toString(generation)), UnsupportedFieldEvents.CONTROLLER, instance);
    }

    /**
     * The Kubernetes Events that no longer hold once an object is usable: {@code Warning} Events with reason
     * {@value #REASON} about the object with uid {@code uid} ({@code regarding.uid}), whatever their generation.
     *
     * @param events {@code events.k8s.io/v1} Events of the object's namespace, as read from the API server
     * @param uid    the Provider's or Alert's {@code metadata.uid}
     * @return the names of those Events
     */
    public static java.util.List<String> superseded(java.util.List<io.fabric8.kubernetes.api.model.GenericKubernetesResource> events,
                                                    String uid) {
        return events.stream()
                .filter(e -> REASON.equals(e.getAdditionalProperties().get("reason"))
                        && "Warning".equals(e.getAdditionalProperties().get("type")))
                .filter(e -> e.getAdditionalProperties().get("regarding") instanceof Map<?, ?> regarding
                        && uid != null && uid.equals(regarding.get("uid")))
                .map(e -> e.getMetadata().getName())
                .toList();
    }
}
