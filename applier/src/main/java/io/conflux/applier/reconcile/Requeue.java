package io.conflux.applier.reconcile;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Interim stand-in for service-common's {@code io.conflux.service.Requeue} (issue #12's shared contract, same
 * signatures), to be deleted when that one is merged: runs a key's work after a delay, replacing any pending run of
 * the key, and schedules it again whatever the outcome — after the Duration the run returned (null: not again) or
 * after {@code afterFailure} when it failed or threw. A run superseded by a newer {@link #schedule} while it ran does
 * not schedule itself again.
 */
public final class Requeue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Requeue.class);

    /** A scheduled run of a key. */
    private record Pending(long token, ScheduledFuture<?> future, Instant at) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong tokens = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conflux-requeue");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param key          the object key
     * @param delay        time until the run (zero: at once)
     * @param run          the work; its item is the time until the next run, null for none
     * @param afterFailure time until the next run when {@code run} failed or threw
     */
    public void schedule(String key, Duration delay, Supplier<Uni<Duration>> run, Duration afterFailure) {
        long token = tokens.incrementAndGet();
        ScheduledFuture<?> future = timer.schedule(() -> start(key, token, run, afterFailure),
                Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        Pending previous = pending.put(key, new Pending(token, future, Instant.now().plus(delay)));
        if (previous != null) {
            previous.future().cancel(false);
        }
    }

    private void start(String key, long token, Supplier<Uni<Duration>> run, Duration afterFailure) {
        Uni<Duration> work;
        try {
            work = run.get();
        } catch (RuntimeException e) {
            LOG.errorf(e, "run of %s failed", key);
            again(key, token, afterFailure, run, afterFailure);
            return;
        }
        work.subscribe().with(next -> again(key, token, next, run, afterFailure), e -> {
            LOG.errorf(e, "run of %s failed, again in %s", key, afterFailure);
            again(key, token, afterFailure, run, afterFailure);
        });
    }

    private void again(String key, long token, Duration next, Supplier<Uni<Duration>> run, Duration afterFailure) {
        Pending current = pending.get(key);
        if (current == null || current.token() != token) {
            return; // cancelled or superseded while running
        }
        if (next == null) {
            pending.remove(key, current);
        } else {
            schedule(key, next, run, afterFailure);
        }
    }

    /** Cancels the pending run of {@code key}; a run in progress does not schedule itself again. */
    public void cancel(String key) {
        Pending previous = pending.remove(key);
        if (previous != null) {
            previous.future().cancel(false);
        }
    }

    /** Cancels the pending runs of every key matching {@code key}. */
    public void cancelIf(Predicate<String> key) {
        pending.keySet().stream().filter(key).toList().forEach(this::cancel);
    }

    /** @return when {@code key} runs next, empty when it is not scheduled */
    public Optional<Instant> next(String key) {
        return Optional.ofNullable(pending.get(key)).map(Pending::at);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
