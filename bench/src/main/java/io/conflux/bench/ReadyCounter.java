package io.conflux.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * How many objects of one kind in one namespace are Ready, kept from an informer (one list, then a watch) rather than
 * by listing all N objects at every poll: a poll of a whole list costs the API server and this JVM O(N) each time,
 * which at 10,000 Kustomizations becomes a large part of what the benchmark measures (bench/README.md, wt-scale's
 * profile: ~21% of the host's samples at 2,000). The count is then O(1) to read and the watch costs O(events).
 *
 * @param <T> the Flux kind
 */
final class ReadyCounter<T extends HasMetadata> implements AutoCloseable {
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final SharedIndexInformer<T> informer;

    /**
     * Starts the informer; returns once it is running (its first list may still be under way).
     *
     * @param resources the kind's operation, e.g. {@code client.resources(Kustomization.class)}
     * @param namespace where the objects are
     * @param isReady   whether one object counts, e.g. Ready at the repository's revision
     */
    ReadyCounter(MixedOperation<T, ?, ?> resources, String namespace, Predicate<T> isReady) {
        this.informer = resources.inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                update(object);
            }

            @Override
            public void onUpdate(T before, T object) {
                update(object);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                ready.remove(object.getMetadata().getName());
            }

            private void update(T object) {
                if (isReady.test(object)) {
                    ready.add(object.getMetadata().getName());
                } else {
                    ready.remove(object.getMetadata().getName());
                }
            }
        });
    }

    /** @return how many objects are Ready now, as last seen by the watch */
    long count() {
        return ready.size();
    }

    /** Stops the informer. */
    @Override
    public void close() {
        informer.close();
    }
}
