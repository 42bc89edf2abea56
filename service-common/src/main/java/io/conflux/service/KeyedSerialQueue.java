package io.conflux.service;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs jobs one at a time per key and concurrently across keys, so that two renders of the same object never
 * race (their results must reach Kafka in order). A failed job does not stop later ones.
 *
 * <p>Bounded: a job running longer than {@code jobTimeout} fails with a {@link TimeoutException} and frees its key for the next job (the timed-out work is cancelled, i.e. its subscription is
 * dropped; blocking code already running on a worker thread is not interrupted); a submit that finds
 * {@code maxWaitingPerKey} jobs already waiting for the key (not counting the running one) fails at once with
 * {@link QueueFullException}. Keys {@code conflux.queue.job-timeout} and {@code conflux.queue.max-waiting-per-key}.
 */
public final class KeyedSerialQueue {
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();
    private final Map<String, Integer> waiting = new HashMap<>();
    private final Duration jobTimeout;
    private final int maxWaitingPerKey;

    /**
     * @param jobTimeout       longest a job may run before it fails with a {@code TimeoutException}; null: no limit
     * @param maxWaitingPerKey most jobs that may wait behind the running one of a key, at least 1
     * @throws IllegalArgumentException when {@code maxWaitingPerKey < 1} or the timeout is not positive
     */
    public KeyedSerialQueue(Duration jobTimeout, int maxWaitingPerKey) {
        if (maxWaitingPerKey < 1) {
            throw new IllegalArgumentException("conflux.queue.max-waiting-per-key must be >= 1: " + maxWaitingPerKey);
        }
        if (jobTimeout != null && (jobTimeout.isZero() || jobTimeout.isNegative())) {
            throw new IllegalArgumentException("conflux.queue.job-timeout must be positive: " + jobTimeout);
        }
        this.jobTimeout = jobTimeout;
        this.maxWaitingPerKey = maxWaitingPerKey;
    }

    /**
     * @param key the object key
     * @param job the work, subscribed once the previous job of the key finished, with the caller's OpenTelemetry
     *            context current while it is assembled ({@link TraceContext#wrap})
     * @return a Uni completing when this job finished (failing with its failure, a {@code TimeoutException} after
     *         the job timeout, or at once with {@link QueueFullException} when the key's backlog is full)
     */
    public synchronized Uni<Void> submit(String key, Supplier<Uni<Void>> submitted) {
        Supplier<Uni<Void>> job = TraceContext.wrap(submitted);
        int queued = waiting.getOrDefault(key, 0);
        if (queued >= maxWaitingPerKey) {
            return Uni.createFrom().failure(new QueueFullException(key, maxWaitingPerKey));
        }
        waiting.put(key, queued + 1);
        CompletableFuture<Void> previous = tails.getOrDefault(key, CompletableFuture.completedFuture(null));
        CompletableFuture<Void> mine = previous.handle((v, e) -> null)
                .thenCompose(v -> {
                    started(key);
                    return bounded(key, job).subscribeAsCompletionStage();
                });
        CompletableFuture<Void> tail = mine.handle((v, e) -> null);
        tails.put(key, tail);
        tail.thenRun(() -> {
            synchronized (this) {
                tails.remove(key, tail);
            }
        });
        return Uni.createFrom().completionStage(mine);
    }

    private synchronized void started(String key) {
        waiting.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    private Uni<Void> bounded(String key, Supplier<Uni<Void>> job) {
        Uni<Void> work = Uni.createFrom().deferred(job::get);
        return jobTimeout == null ? work : work.ifNoItem().after(jobTimeout)
                .failWith(() -> new TimeoutException("job of " + key + " ran longer than " + jobTimeout));
    }
}
