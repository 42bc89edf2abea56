package io.conflux.applier.apply;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Waits until deleted objects are gone from a cluster (their finalizers done, the garbage collector through), as ssa's
 * {@code ResourceManager.WaitForSetTermination} does for kustomize-controller's {@code WaitForTermination} deletion
 * policy, polling until a timeout. Blocking: call from a worker thread.
 */
public final class TerminationWait {
    private final KubernetesClient client;
    private final Duration pollInterval;

    /**
     * @param client       the target cluster
     * @param pollInterval time between two rounds of reads
     */
    public TerminationWait(KubernetesClient client, Duration pollInterval) {
        this.client = client;
        this.pollInterval = pollInterval;
    }

    /**
     * @param objects the objects that were deleted
     * @param timeout how long to wait for all of them to be gone
     * @return empty once none exists any more, else {@code timeout waiting for termination of: [Kind/ns/name, …]}
     *         naming those still there
     */
    public Optional<String> await(List<InventoryEntry> objects, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> remaining = new ArrayList<>();
            for (InventoryEntry e : objects) {
                var kind = client.genericKubernetesResources(e.apiVersion(), e.kind());
                GenericKubernetesResource live = e.namespace().isEmpty() ? kind.withName(e.name()).get()
                        : kind.inNamespace(e.namespace()).withName(e.name()).get();
                if (live != null) {
                    remaining.add(e.subject());
                }
            }
            if (remaining.isEmpty()) {
                return Optional.empty();
            }
            if (System.nanoTime() >= deadline) {
                return Optional.of("timeout waiting for termination of: [" + String.join(", ", remaining) + "]");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return Optional.of("interrupted waiting for termination of: [" + String.join(", ", remaining) + "]");
            }
        }
    }
}
