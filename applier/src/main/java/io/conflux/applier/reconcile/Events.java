package io.conflux.applier.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.conflux.model.topic.FluxEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the Flux events the applier emits, as Flux's event recorder does. Pure. */
final class Events {
    private Events() {
    }

    /**
     * @param object     the involved Kustomization or HelmRelease
     * @param severity   {@link FluxEvent#INFO} or {@link FluxEvent#ERROR}
     * @param reason     Flux reason
     * @param message    the event's message
     * @param revision   the source revision, put in {@code metadata["<group>/revision"]}; null for none
     * @param controller the {@code reportingController} ({@code conflux.applier.reporting-controller})
     * @return the event, timestamped now (seconds)
     */
    static FluxEvent of(HasMetadata object, String severity, String reason, String message, String revision,
                        String controller) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (revision != null) {
            metadata.put(groupOf(object) + "/revision", revision);
        }
        return new FluxEvent(new FluxEvent.InvolvedObject(object.getKind(), object.getMetadata().getNamespace(),
                object.getMetadata().getName(), object.getMetadata().getUid(), object.getApiVersion(), null),
                severity, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), message, reason, metadata,
                controller, null);
    }

    private static String groupOf(HasMetadata object) {
        String apiVersion = object.getApiVersion();
        return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : apiVersion;
    }
}
