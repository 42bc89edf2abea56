package io.conflux.renderer.render;

import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs Kustomization builds on a bounded pool, each bounded by its {@code spec.timeout}, as Flux's documentation has
 * it ("a timeout duration for any operation like building, applying, health checking"): a build still running when the
 * timeout passes fails the render with {@code BuildFailed} ({@code build timed out after <timeout>}), to be retried at
 * {@code retryInterval}; nothing is applied or pruned for it.
 *
 * <p>A timed-out build really stops: its thread is interrupted, and the kustomize engine checks for interruption at
 * every resource file, every 1,024 YAML events, every transformer and patched resource
 * ({@link io.conflux.kustomize.BuildCancelledException}), so the worker is free again soon after. Until then the
 * object's next build is refused ({@code a previous build ... is still stopping}, retryable): two builds of one
 * object never run at once. The pool has {@code conflux.renderer.build-workers} threads and a queue of
 * {@code conflux.renderer.build-queue} builds. A build that finds both full waits for a place, up to its timeout, as
 * kustomize-controller's work queue holds a reconcile until a worker is free; only one that finds no place within its
 * timeout is refused (retryable, {@code renderer busy}), so builds cannot pile up beyond the callers' own threads.
 * (Refusing at once made a burst of 10,000 new Kustomizations fail ~120 of them with {@code renderer busy}, each then
 * waiting its {@code retryInterval}.)
 */
final class BoundedBuild implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final int queueSize;
    /** Places in the pool, workers + queue: taken before a build enters it, given back when it leaves. */
    private final Semaphore places;
    /** Objects with a build in the pool: queued, running, or cancelled and not yet stopped. */
    private final Set<String> inPool = ConcurrentHashMap.newKeySet();

    /**
     * @param workers   threads that run builds ({@code conflux.renderer.build-workers}), at least 1
     * @param queueSize builds that may wait for a thread ({@code conflux.renderer.build-queue}), at least 0
     */
    BoundedBuild(int workers, int queueSize) {
        if (workers < 1 || queueSize < 0) {
            throw new IllegalArgumentException("build-workers must be at least 1 and build-queue at least 0, got "
                    + workers + " and " + queueSize);
        }
        this.queueSize = queueSize;
        this.places = new Semaphore(workers + queueSize);
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                queueSize == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queueSize),
                r -> {
                    Thread t = new Thread(r, "conflux-build");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Runs one build of {@code key} on the pool and waits for it at most {@code timeout}; blocking.
     *
     * @param key     the object built ({@code Kustomization/<ns>/<name>}): one build per key at a time
     * @param timeout the bound ({@code spec.timeout}, defaulting to {@code spec.interval} as in Flux)
     * @param build   the build, returning its outcome
     * @return the build's outcome, or a retryable {@code BuildFailed} when it took longer than {@code timeout} (it is
     *         then interrupted), when the object's previous build is still stopping, or when no place in the pool
     *         freed within {@code timeout} (the wait for a place is not counted in the build's own timeout)
     * @throws IllegalStateException when the build itself threw (a bug: builds report failures as outcomes)
     */
    RenderOutcome within(String key, Duration timeout, Callable<RenderOutcome> build) {
        if (!inPool.add(key)) {
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED,
                    "a previous build of " + key + " timed out and is still stopping");
        }
        try {
            if (!places.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                inPool.remove(key);
                return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "renderer busy: all "
                        + pool.getMaximumPoolSize() + " build workers were taken and " + queueSize + " builds waited for "
                        + GoDuration.format(timeout));
            }
        } catch (InterruptedException e) {
            inPool.remove(key);
            Thread.currentThread().interrupt();
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "build interrupted");
        }
        FutureTask<RenderOutcome> running = new FutureTask<>(build);
        Runnable job = () -> {
            try {
                running.run();
            } finally {
                inPool.remove(key);
                places.release();
            }
        };
        try {
            pool.execute(job);
        } catch (RejectedExecutionException e) {
            // only once the pool is shut down: the places keep it from ever being full
            inPool.remove(key);
            places.release();
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "renderer stopping");
        }
        try {
            return running.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            stop(running, job, key);
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "build timed out after " + GoDuration.format(timeout));
        } catch (InterruptedException e) {
            stop(running, job, key);
            Thread.currentThread().interrupt();
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "build interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("build failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Interrupts a running build; one still queued is taken off the queue. */
    private void stop(FutureTask<RenderOutcome> running, Runnable job, String key) {
        running.cancel(true);
        if (pool.remove(job)) {
            inPool.remove(key);
            places.release();
        }
    }

    /** @return the number of threads running a build now (stopping ones included) */
    int active() {
        return pool.getActiveCount();
    }

    /** Interrupts every build and stops the pool. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
