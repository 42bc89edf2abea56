package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.Trigger;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * When each GitRepository is reconciled: at once on creation and spec change, then every {@code spec.interval}
 * after the end of its last reconciliation (whatever triggered it, as Flux requeues), never while suspended or
 * after deletion. One pending timer per source.
 */
@ApplicationScoped
public class PollScheduler {
    private static final Logger LOG = Logger.getLogger(PollScheduler.class);

    @Inject
    SourceReconciler reconciler;
    @Inject
    SourceCache sources;
    @Inject
    ReceiverConfig config;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conflux-poll-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<ObjectKey, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();

    /** Reconciles the source as soon as possible (in the background), replacing its pending timer. */
    public void pollNow(ObjectKey key, Trigger trigger, String deliveryId) {
        schedule(key, Duration.ZERO, trigger, deliveryId);
    }

    /** Forgets a deleted source's timer. */
    public void cancel(ObjectKey key) {
        ScheduledFuture<?> f = pending.remove(key);
        if (f != null) {
            f.cancel(false);
        }
    }

    /**
     * Reconciles now and schedules the next poll after {@code spec.interval}.
     *
     * @see SourceReconciler#reconcile(ObjectKey, Trigger, String)
     */
    public Uni<ReconcileOutcome> reconcileNow(ObjectKey key, Trigger trigger, String deliveryId) {
        return reconciler.reconcile(key, trigger, deliveryId)
                .invoke(outcome -> after(key, outcome))
                .onFailure().invoke(e -> {
                    LOG.errorf(e, "%s: reconciliation failed", key);
                    after(key, null);
                });
    }

    private void schedule(ObjectKey key, Duration delay, Trigger trigger, String deliveryId) {
        ScheduledFuture<?> next = timer.schedule(() -> fire(key, trigger, deliveryId), delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = pending.put(key, next);
        if (previous != null && previous != next) {
            previous.cancel(false);
        }
    }

    private void fire(ObjectKey key, Trigger trigger, String deliveryId) {
        reconcileNow(key, trigger, deliveryId).subscribe().with(outcome -> { }, failure -> { });
    }

    private void after(ObjectKey key, ReconcileOutcome outcome) {
        if (outcome != null && (outcome.result() == ReconcileOutcome.Result.NOT_FOUND
                || outcome.result() == ReconcileOutcome.Result.SUSPENDED)) {
            cancel(key);
            return;
        }
        if (timer.isShutdown()) {
            return;
        }
        Duration interval = sources.get(key)
                .map(g -> Intervals.parse(g.getSpec() == null ? null : g.getSpec().interval(), config.fallbackInterval()))
                .orElse(null);
        if (interval == null) {
            cancel(key);
        } else {
            schedule(key, interval, Trigger.POLL, null);
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }
}
