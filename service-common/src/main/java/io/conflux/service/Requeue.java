package io.conflux.service;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one timer mechanism of a service: the periodic reconcile of each object ({@code spec.interval},
 * {@code retryInterval}) as in Flux's {@code ctrl.Result{RequeueAfter: ...}}. A key has at most one pending run;
 * whatever the outcome of a run it is scheduled again — after the duration the run returned, or after
 * {@code afterFailure} when it failed or threw — unless the key was cancelled or rescheduled meanwhile.
 *
 * <p>Runs start on a single timer thread; the {@code Uni} a run returns should move its work off it (e.g. with
 * {@link ReactiveRunner}). Wire {@link Ownership#onRevoked} to {@link #cancelIf} so that timers of keys no longer
 * owned stop.
 */
@ApplicationScoped
public class Requeue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Requeue.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conflux-requeue");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * Schedules {@code run} for {@code key}, replacing any pending run of the key (a run already in progress
     * finishes but does not reschedule itself).
     *
     * @param key          the object key
     * @param delay        wait before the run, zero or positive
     * @param run          the work; its item is the wait before the next run (null: not again). Its first run has
     *                     the caller's OpenTelemetry context current (a webhook's trace goes on through the run it
     *                     asked for); later, periodic runs start without one
     * @param afterFailure wait before the next run when the run failed or threw
     */
    public void schedule(String key, Duration delay, Supplier<Uni<Duration>> run, Duration afterFailure) {
        Entry entry = new Entry(key, TraceContext.wrap(run), run, afterFailure, Instant.now().plus(delay));
        Entry previous = entries.put(key, entry);
        if (previous != null) {
            previous.cancel();
        }
        entry.arm(delay);
    }

    /** Cancels the pending run of {@code key}, if any; a run in progress does not reschedule itself. */
    public void cancel(String key) {
        Entry previous = entries.remove(key);
        if (previous != null) {
            previous.cancel();
        }
    }

    /** Cancels the pending runs of every key matching {@code key} (e.g. keys no longer owned). */
    public void cancelIf(Predicate<String> key) {
        entries.keySet().stream().filter(key).toList().forEach(this::cancel);
    }

    /** @return when the pending run of {@code key} is due; empty when none is scheduled or it is running now */
    public Optional<Instant> next(String key) {
        Entry entry = entries.get(key);
        return entry == null || entry.running ? Optional.empty() : Optional.of(entry.due);
    }

    /** Stops the timer thread; pending runs are dropped. */
    @PreDestroy
    @Override
    public void close() {
        timer.shutdownNow();
        entries.clear();
    }

    private final class Entry {
        final String key;
        final Supplier<Uni<Duration>> first;
        final Supplier<Uni<Duration>> run;
        final Duration afterFailure;
        volatile boolean fired;
        volatile Instant due;
        volatile boolean running;
        private ScheduledFuture<?> future;

        Entry(String key, Supplier<Uni<Duration>> first, Supplier<Uni<Duration>> run, Duration afterFailure, Instant due) {
            this.key = key;
            this.first = first;
            this.run = run;
            this.afterFailure = afterFailure;
            this.due = due;
        }

        synchronized void arm(Duration delay) {
            due = Instant.now().plus(delay);
            running = false;
            if (!timer.isShutdown()) {
                future = timer.schedule(this::fire, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            }
        }

        synchronized void cancel() {
            if (future != null) {
                future.cancel(false);
            }
        }

        private boolean current() {
            return entries.get(key) == this;
        }

        private void fire() {
            if (!current()) {
                return;
            }
            running = true;
            Supplier<Uni<Duration>> job = fired ? run : first;
            fired = true;
            Uni<Duration> work;
            try {
                work = Uni.createFrom().deferred(job::get);
            } catch (RuntimeException e) {
                done(null, e);
                return;
            }
            work.subscribe().with(next -> done(next, null), failure -> done(null, failure));
        }

        private void done(Duration next, Throwable failure) {
            if (failure != null) {
                LOG.warnf("scheduled run of %s failed, next in %s: %s", key, afterFailure, failure.toString());
            }
            Duration wait = failure != null ? afterFailure : next;
            if (wait == null) {
                entries.remove(key, this);
                return;
            }
            if (current()) {
                arm(wait);
            }
        }
    }
}
