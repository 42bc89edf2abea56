package io.conflux.renderer.render;

import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kustomizations and HelmReleases whose last render found their source missing or without an artifact, by the
 * source they wait for, and when to look at each again. As helm-controller and kustomize-controller requeue such a
 * reconcile after {@code --requeue-dependency} (30 s by default; {@code RequeueAfter} on "Source artifact not found",
 * {@code SourceNotReady}, helm-controller's {@code errWaitForChart}) rather than after the object's interval, a waiter
 * is looked at again after {@code conflux.renderer.requeue-dependency}; unlike them, the wait doubles with each look
 * that still finds the source missing, up to the object's {@code retryInterval} (else interval), so that many objects
 * waiting on a source that never comes cost little. The source's own event renders its waiters at once
 * ({@link #of}), the way Flux's controllers watch their sources, also those that its informer cache did not yet hold
 * when the event came (the object each waiter was last rendered as is kept for that).
 *
 * <p>Thread-safe: renders of different objects record and clear their waits concurrently.
 */
final class SourceWaiters {
    private final Duration requeueDependency;
    private final Map<ObjectKey, Waiting> waiting = new ConcurrentHashMap<>();

    /**
     * One waiter.
     *
     * @param source the source it waits for
     * @param object the object as it was last rendered
     * @param looks  how many renders in a row found the source missing
     */
    record Waiting(ObjectKey source, HasMetadata object, int looks) {
    }

    /**
     * @param requeueDependency {@code conflux.renderer.requeue-dependency}: the first wait, positive
     * @throws IllegalArgumentException when it is zero or negative
     */
    SourceWaiters(Duration requeueDependency) {
        if (requeueDependency.isZero() || requeueDependency.isNegative()) {
            throw new IllegalArgumentException("conflux.renderer.requeue-dependency must be positive: " + requeueDependency);
        }
        this.requeueDependency = requeueDependency;
    }

    /**
     * Records that a render of {@code key} found {@code source} missing or without an artifact.
     *
     * @param key    the waiting Kustomization or HelmRelease
     * @param source the source it waits for
     * @param object the object as rendered
     * @param most   the longest wait: the object's {@code retryInterval}, else its interval (when shorter than
     *               {@code requeue-dependency}, {@code requeue-dependency} is used)
     * @return the wait before looking again: {@code requeue-dependency} after the first such render, doubled after
     *         each further one in a row, at most {@code most}
     */
    Duration waiting(ObjectKey key, ObjectKey source, HasMetadata object, Duration most) {
        Waiting now = waiting.compute(key, (k, before) -> new Waiting(source, object,
                before == null || !before.source().equals(source) ? 1 : before.looks() + 1));
        Duration cap = most == null || most.compareTo(requeueDependency) < 0 ? requeueDependency : most;
        Duration wait = requeueDependency;
        for (int i = 1; i < now.looks() && wait.compareTo(cap) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(cap) > 0 ? cap : wait;
    }

    /** {@code key} no longer waits for a source: rendered, suspended, refused or deleted. */
    void done(ObjectKey key) {
        waiting.remove(key);
    }

    /** @return the objects waiting for {@code source}, each as it was last rendered */
    List<HasMetadata> of(ObjectKey source) {
        return waiting.values().stream().filter(w -> w.source().equals(source)).map(Waiting::object).toList();
    }
}
