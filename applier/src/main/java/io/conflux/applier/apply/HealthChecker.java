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
 * Waits until objects on a cluster are Current, as kustomize-controller does for {@code spec.wait} (every applied
 * object) and {@code spec.healthChecks}, polling until {@code spec.timeout}: by {@code spec.healthCheckExprs}
 * ({@link HealthCheckExprs}) for the objects of a group and kind it names, by kstatus ({@link HealthStatus}) for the
 * others. Blocking: call from a worker thread.
 */
public final class HealthChecker {
    /** fabric8's JSON (de)serialization of Kubernetes objects, for tree conversions. */
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();
    private final KubernetesClient client;
    private final Duration pollInterval;
    private final HealthCheckExprs exprs;

    /**
     * @param client       the target cluster
     * @param pollInterval time between two rounds of reads
     */
    public HealthChecker(KubernetesClient client, Duration pollInterval) {
        this(client, pollInterval, HealthCheckExprs.NONE);
    }

    /**
     * @param client       the target cluster
     * @param pollInterval time between two rounds of reads
     * @param exprs        the Kustomization's {@code spec.healthCheckExprs}, deciding for the kinds they name
     */
    public HealthChecker(KubernetesClient client, Duration pollInterval, HealthCheckExprs exprs) {
        this.client = client;
        this.pollInterval = pollInterval;
        this.exprs = exprs;
    }

    /**
     * @param objects the objects to check
     * @param timeout how long to wait for all of them
     * @return empty when all are Current, else Flux's message: {@code timeout waiting for: [Kind/ns/name status: 'InProgress']}
     *         (an object whose health check expression failed to evaluate:
     *         {@code Kind/ns/name status: 'Unknown': spec.healthCheckExprs[i].current: <error>}) or
     *         {@code Kind/ns/name status: 'Failed': <message>}
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
                HealthStatus.Result status = exprs.evaluate(tree).orElseGet(() -> HealthStatus.of(tree));
                if (status.failed()) {
                    return Optional.of(e.subject() + " status: 'Failed': " + status.message());
                }
                if (status.unknown()) {
                    pending.add(e.subject() + " status: 'Unknown': " + status.message());
                } else if (!status.current()) {
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
