package io.conflux.notifier.produce;

import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.dispatch.NotifierConfig;
import io.conflux.notifier.kubeevent.KubeEvent;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Transient;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Writes every Conflux event as a Kubernetes Event ({@code events.k8s.io/v1}) on its involved object in the management
 * cluster, so that {@code kubectl events --for kustomization/x} and {@code flux events} show Conflux's events as they
 * show Flux's. The notifier is the one writer: it consumes every event of {@code conflux.events}, and only the replica
 * owning the event's key handles it. What is written is {@link KubeEvent}'s: created the first time, counted as a
 * series on repeats, nothing for a redelivered record.
 *
 * <p>API server failures that are transient (429, 5xx, timeouts) fail the returned Uni, so the consumer retries; any
 * other refusal (403 for want of RBAC on {@code events.k8s.io} {@code events}, 422) is logged, naming the Event, and
 * does not hold up the notifications. Keys: {@code conflux.notifier.kubernetes-events.enabled},
 * {@code conflux.notifier.kubernetes-events.reporting-controller}, {@code conflux.notifier.kubernetes-events.reporting-instance}.
 */
@ApplicationScoped
public class KubernetesEventWriter {
    private static final Logger LOG = Logger.getLogger(KubernetesEventWriter.class);

    @Inject
    KubernetesClient client;
    @Inject
    ReactiveRunner runner;

    @Inject
    NotifierConfig config;

    /**
     * @param event a Conflux event; one without an involved object writes nothing
     * @return a Uni completing when the Event is written (or needed no change, or was refused for good); failing with
     *         a transient API server failure
     */
    public Uni<Void> write(FluxEvent event) {
        if (!config.kubernetesEvents().enabled() || event == null || event.involvedObject() == null
                || event.involvedObject().name() == null) {
            return Uni.createFrom().voidItem();
        }
        return runner.run(blocking -> blocking.call(() -> {
            writeNow(event);
            return null;
        }));
    }

    private void writeNow(FluxEvent event) {
        String namespace = KubeEvent.namespace(event);
        String name = KubeEvent.name(event);
        var events = client.genericKubernetesResources("events.k8s.io/v1", "Event").inNamespace(namespace);
        try {
            GenericKubernetesResource existing = events.withName(name).get();
            if (existing == null) {
                try {
                    events.resource(Serialization.unmarshal(Serialization.asJson(KubeEvent.create(event,
                            config.kubernetesEvents().reportingController(), instance())),
                            GenericKubernetesResource.class)).create();
                    return;
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    existing = events.withName(name).get();
                }
            }
            Map<String, Object> current = existing == null ? Map.of() : existing.getAdditionalProperties();
            Optional<Map<String, Object>> patch = KubeEvent.repeat(current, event);
            if (patch.isPresent()) {
                events.withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch.get()));
            }
        } catch (KubernetesClientException e) {
            if (Transient.is(e)) {
                throw e;
            }
            LOG.warnf("Kubernetes Event %s/%s (%s of %s/%s) not written: %s %s", namespace, name, event.reason(),
                    event.involvedObject().kind(), event.involvedObject().name(), e.getCode(), e.getStatus() == null
                            ? e.getClass().getSimpleName() : e.getStatus().getReason());
        }
    }

    private String instance() {
        return config.kubernetesEvents().reportingInstance().filter(s -> !s.isBlank()).orElseGet(() -> {
            String host = System.getenv("HOSTNAME");
            return host == null || host.isBlank() ? "conflux-notifier" : host;
        });
    }
}
