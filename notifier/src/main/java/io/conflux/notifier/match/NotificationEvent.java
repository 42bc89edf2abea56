package io.conflux.notifier.match;

import io.conflux.model.notification.AlertSpec;
import io.conflux.model.topic.FluxEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns an event as received into the event a Provider is sent for one Alert, following Flux's
 * notification-controller ({@code internal/server/event_handlers.go}, {@code excludeInternalMetadata} and
 * {@code combineEventMetadata}, RFC 0008), and computes the identity duplicate notifications are recognised by
 * ({@link #identity}, after {@code eventKeyFunc} of {@code internal/server/event_server.go}).
 */
public final class NotificationEvent {
    /** API group of Flux's event API; metadata keys under it come from the involved object's annotations. */
    public static final String EVENT_GROUP = "event.toolkit.fluxcd.io";
    /** The metadata key (without group) the involved object's revision is sent under. */
    public static final String REVISION_KEY = "revision";
    /** The metadata key (without group) of Flux's internal commit-status token, never sent. */
    public static final String TOKEN_KEY = "token";
    /** The metadata key {@code spec.summary} is sent under. */
    public static final String SUMMARY_KEY = "summary";

    /** API versions of Flux kinds, for events that carry no {@code involvedObject.apiVersion}. */
    private static final Map<String, String> FLUX_API_VERSIONS = Map.of(
            "Kustomization", "kustomize.toolkit.fluxcd.io/v1",
            "GitRepository", "source.toolkit.fluxcd.io/v1",
            "HelmRepository", "source.toolkit.fluxcd.io/v1",
            "HelmChart", "source.toolkit.fluxcd.io/v1",
            "Bucket", "source.toolkit.fluxcd.io/v1",
            "OCIRepository", "source.toolkit.fluxcd.io/v1beta2",
            "HelmRelease", "helm.toolkit.fluxcd.io/v2",
            "Receiver", "notification.toolkit.fluxcd.io/v1");

    private NotificationEvent() {
    }

    /**
     * @param object an involved object
     * @return its apiVersion, or for a Flux kind without one the version Flux serves it at, or null
     */
    public static String apiVersion(FluxEvent.InvolvedObject object) {
        if (object == null) {
            return null;
        }
        return object.apiVersion() != null && !object.apiVersion().isEmpty()
                ? object.apiVersion() : FLUX_API_VERSIONS.get(object.kind());
    }

    /**
     * @param event an event
     * @return the API group of its involved object ({@code kustomize.toolkit.fluxcd.io} for
     *         {@code kustomize.toolkit.fluxcd.io/v1}; for Flux kinds also when the event has no apiVersion), or
     *         {@code ""} when unknown or a core kind
     */
    public static String objectGroup(FluxEvent event) {
        String apiVersion = apiVersion(event.involvedObject());
        if (apiVersion == null) {
            return "";
        }
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    /**
     * The event sent for {@code alert}: metadata becomes, from lowest to highest precedence, the keys under
     * {@value #EVENT_GROUP}/ without that prefix, the Alert's {@code eventMetadata}, its {@code summary} as
     * {@value #SUMMARY_KEY}, and the keys under the involved object's API group without that prefix; Flux's
     * internal {@code <group>/token} key is dropped. When none of these exist the metadata is left as it was
     * (Flux only replaces it when the combination is not empty).
     *
     * @param event the event as received
     * @param alert the matching Alert's spec
     * @return a copy of the event with the combined metadata
     */
    public static FluxEvent forAlert(FluxEvent event, AlertSpec alert) {
        String group = objectGroup(event);
        Map<String, String> received = new LinkedHashMap<>(event.metadata() == null ? Map.of() : event.metadata());
        received.remove(group + "/" + TOKEN_KEY);
        Map<String, String> combined = new TreeMap<>();
        String eventPrefix = EVENT_GROUP + "/";
        received.forEach((k, v) -> {
            if (k.startsWith(eventPrefix)) {
                combined.put(k.substring(eventPrefix.length()), v);
            }
        });
        if (alert.eventMetadata() != null) {
            combined.putAll(alert.eventMetadata());
        }
        if (alert.summary() != null && !alert.summary().isEmpty()) {
            combined.put(SUMMARY_KEY, alert.summary());
        }
        String objectPrefix = group + "/";
        received.forEach((k, v) -> {
            if (k.startsWith(objectPrefix)) {
                combined.put(k.substring(objectPrefix.length()), v);
            }
        });
        Map<String, String> metadata = combined.isEmpty() ? received : combined;
        return new FluxEvent(event.involvedObject(), event.severity(), event.timestamp(), event.message(),
                event.reason(), metadata, event.reportingController(), event.reportingInstance());
    }

    /**
     * @param event an event as received
     * @return the involved object's revision: metadata {@code <object group>/revision}, else {@code revision},
     *         else null
     */
    public static String revision(FluxEvent event) {
        if (event.metadata() == null) {
            return null;
        }
        String prefixed = event.metadata().get(objectGroup(event) + "/" + REVISION_KEY);
        return prefixed != null ? prefixed : event.metadata().get(REVISION_KEY);
    }

    /**
     * The identity of a notification: SHA-256 (hex) over the involved object's kind, namespace and name, its revision
     * ({@link #revision}), the reason, the severity and the message — what one outcome of one object at one revision
     * is. A Kafka record redelivered, or the same event published twice (an outbox relayed again after a crash), has the
     * same identity, and so has the same outcome reported again; Conflux posts each identity once per Alert (see
     * {@code dispatch.DeliveryDecision}). Flux's {@code eventKeyFunc} ({@code internal/server/event_server.go}) uses
     * object, message and revision; Conflux adds the reason and the severity, so that two different outcomes with the
     * same text are never merged. The timestamp and the other metadata are not part of it.
     *
     * @param event an event as received
     * @return 64 lower-case hex digits
     */
    public static String identity(FluxEvent event) {
        FluxEvent.InvolvedObject o = event.involvedObject();
        StringBuilder key = new StringBuilder("event")
                .append("/name=").append(o == null ? "" : o.name())
                .append("/namespace=").append(o == null ? "" : o.namespace())
                .append("/kind=").append(o == null ? "" : o.kind())
                .append("/reason=").append(event.reason())
                .append("/severity=").append(event.severity())
                .append("/message=").append(event.message());
        String revision = revision(event);
        if (revision != null) {
            key.append("/revision=").append(revision);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
