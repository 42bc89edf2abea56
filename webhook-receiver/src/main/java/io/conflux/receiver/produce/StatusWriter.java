package io.conflux.receiver.produce;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.notification.Receiver;
import io.conflux.service.StatusPatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes Flux status to {@code Receiver}s on the management cluster through service-common's {@link StatusPatcher}
 * (JSON merge patches of the status subresource, conflicts, 429, 5xx and timeouts retried), with the conditions and
 * messages Flux's notification-controller writes. A Receiver deleted meanwhile is skipped. Blocking (fabric8 calls).
 * GitRepository status is built by {@code decide.SourceStatus} and patched by the reconciler.
 */
@ApplicationScoped
public class StatusWriter {
    @Inject
    StatusPatcher patcher;

    /**
     * The Receiver is served: {@code webhookPath}, {@code observedGeneration}, {@code Ready=True} reason
     * {@code Succeeded} message {@code Receiver initialized for path: <path>} (Flux's wording).
     */
    public void receiverReady(Receiver receiver, String webhookPath) {
        long generation = generation(receiver);
        List<Condition> conditions = Conditions.set(receiver.getStatus() == null ? null : receiver.getStatus().conditions(),
                Conditions.ready(true, generation, FluxReasons.SUCCEEDED, "Receiver initialized for path: " + webhookPath));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("webhookPath", webhookPath);
        patcher.patch(keyOf(receiver), status);
    }

    /** The Receiver cannot be served (e.g. reason {@code TokenNotFound}); its webhook path is cleared. */
    public void receiverFailed(Receiver receiver, String reason, String message) {
        long generation = generation(receiver);
        List<Condition> conditions = Conditions.set(receiver.getStatus() == null ? null : receiver.getStatus().conditions(),
                Conditions.ready(false, generation, reason, message));
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("webhookPath", null);
        patcher.patch(keyOf(receiver), status);
    }

    private static ObjectKey keyOf(Receiver r) {
        return new ObjectKey("Receiver", r.getMetadata().getNamespace(), r.getMetadata().getName());
    }

    private static long generation(Receiver o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }
}
