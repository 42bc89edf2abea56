package io.conflux.applier.apply;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Waits until objects on a cluster are Current by {@link HealthStatus}, as kustomize-controller does for
 * {@code spec.wait} (every applied object) and {@code spec.healthChecks}, polling until {@code spec.timeout}.
 * Blocking: call from a worker thread.
 */
public final class HealthChecker {
    /** fabric8's JSON (de)serialization of Kubernetes objects, for tree conversions. */
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();
    private final KubernetesClient client;
    private final Duration pollInterval;

    /**
     * @param client       the target cluster
     * @param pollInterval time between two rounds of reads
     */
    public HealthChecker(KubernetesClient client, Duration pollInterval) {
        this.client = client;
        this.pollInterval = pollInterval;
    }

    /**
     * @param objects the objects to check
     * @param timeout how long to wait for all of them
     * @return empty when all are Current, else Flux's message: {@code timeout waiting for: [Kind/ns/name status: 'InProgress']}
     *         or {@code Kind/ns/name status: 'Failed'}
     */
    public Optional<String> await(List<InventoryEntry> objects, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> pending = new ArrayList<>();
            for (InventoryEntry e : objects) {
                var kind = client.genericKubernetesResources(e.apiVersion(), e.kind());
                GenericKubernetesResource live = e.namespace().isEmpty() ? kind.withName(e.name()).get()
                        : kind.inNamespace(e.namespace()).withName(e.name()).get();
                if (live == null) {
                    pending.add(e.subject() + " status: 'NotFound'");
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> tree = new LinkedHashMap<>(KUBERNETES_JSON.convertValue(live, Map.class));
                HealthStatus.Result status = HealthStatus.of(tree);
                if (status.failed()) {
                    return Optional.of(e.subject() + " status: 'Failed': " + status.message());
                }
                if (!status.current()) {
                    pending.add(e.subject() + " status: 'InProgress'");
                }
            }
            if (pending.isEmpty()) {
                return Optional.empty();
            }
            if (System.nanoTime() >= deadline) {
                return Optional.of("timeout waiting for: [" + String.join(", ", pending) + "]");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted waiting for: [" + String.join(", ", pending) + "]");
            }
        }
    }
}
