package io.conflux.e2e;

import io.conflux.cli.local.LocalInstallation;
import io.conflux.cli.local.ServiceReplica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The faults of a run, injected into a {@link LocalInstallation} from a thread of its own while the storm runs:
 * every {@code killInterval} a {@code kill -9} of a random running service replica (of any service), which is started
 * again {@code restartDelay} later (and again, with backoff, when that start fails); and, when asked, one restart of
 * PostgreSQL and one of the Kafka broker, each down for {@code outage}.
 *
 * <p>Counts what was done ({@link #kills()}, {@link #replicaStarts()}, {@link #failedStarts()},
 * {@link #postgresRestarts()}, {@link #kafkaRestarts()}) and tells which replicas are down ({@link #down()}): one
 * still down at the end fails the run, since a replica that cannot start again after a kill is a finding in itself.
 */
final class FaultInjector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FaultInjector.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final LocalInstallation conflux;
    private final FaultsSettings settings;
    private final Random random;
    private final ExecutorService killer = Executors.newSingleThreadExecutor(r -> new Thread(r, "faults-killer"));
    private final ExecutorService restarts = Executors.newCachedThreadPool(r -> new Thread(r, "faults-restart"));
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger replicaStarts = new AtomicInteger();
    private final AtomicInteger failedStarts = new AtomicInteger();
    private final AtomicInteger postgresRestarts = new AtomicInteger();
    private final AtomicInteger kafkaRestarts = new AtomicInteger();
    private final List<Future<?>> pending = Collections.synchronizedList(new ArrayList<>());

    FaultInjector(LocalInstallation conflux, FaultsSettings settings) {
        this.conflux = conflux;
        this.settings = settings;
        this.random = new Random(settings.seed() * 31 + 7);
    }

    /** Starts the kills (none when {@code killInterval} is zero). */
    void startKilling() {
        if (settings.killInterval().isZero()) {
            return;
        }
        killer.submit(() -> {
            while (!stopped.get()) {
                sleep(settings.killInterval());
                if (!stopped.get()) {
                    killOne();
                }
            }
        });
    }

    /** Stops PostgreSQL (fast shutdown), waits {@code outage} and starts it again on the same port and data. */
    void restartPostgres() {
        LOG.infof("faults: stopping PostgreSQL for %s", settings.outage());
        conflux.postgres().stop();
        sleep(settings.outage());
        conflux.postgres().startAgain();
        postgresRestarts.incrementAndGet();
        LOG.info("faults: PostgreSQL runs again");
    }

    /** Stops the Kafka broker (clean shutdown), waits {@code outage} and starts it again on the same port and data. */
    void restartKafka() {
        LOG.infof("faults: stopping Kafka for %s", settings.outage());
        conflux.kafka().stop();
        sleep(settings.outage());
        conflux.kafka().startAgain();
        kafkaRestarts.incrementAndGet();
        LOG.info("faults: Kafka runs again");
    }

    /** @return {@code kill -9}s done */
    int kills() {
        return kills.get();
    }

    /** @return replicas started again after a kill */
    int replicaStarts() {
        return replicaStarts.get();
    }

    /** @return starts of a killed replica that failed (and were tried again) */
    int failedStarts() {
        return failedStarts.get();
    }

    /** @return PostgreSQL restarts done */
    int postgresRestarts() {
        return postgresRestarts.get();
    }

    /** @return Kafka broker restarts done */
    int kafkaRestarts() {
        return kafkaRestarts.get();
    }

    /** @return the replicas not running now, by name (e.g. {@code renderer#2}): killed and not started again yet */
    List<String> down() {
        List<String> down = new ArrayList<>();
        for (String service : LocalInstallation.SERVICES) {
            conflux.replicas(service).stream().filter(r -> !r.isAlive()).map(ServiceReplica::name).forEach(down::add);
        }
        return down;
    }

    /**
     * Stops the kills, then waits (up to {@code bound}) until every killed replica was started again; starts still
     * under way go on in the background until {@link #close()}.
     *
     * @param bound how long to wait for pending starts
     */
    void stop(Duration bound) {
        stopped.set(true);
        killer.shutdownNow();
        long deadline = System.nanoTime() + bound.toNanos();
        List<Future<?>> waiting;
        synchronized (pending) {
            waiting = List.copyOf(pending);
        }
        for (Future<?> f : waiting) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException stillStarting) {
                LOG.debugf("faults: a start is still under way: %s", stillStarting);
            }
        }
    }

    /** Stops the kills and the starts under way (interrupted), then frees the threads. */
    @Override
    public void close() {
        stopped.set(true);
        killer.shutdownNow();
        restarts.shutdownNow();
    }

    private void killOne() {
        List<ServiceReplica> alive = new ArrayList<>();
        for (String service : LocalInstallation.SERVICES) {
            conflux.replicas(service).stream().filter(ServiceReplica::isAlive).forEach(alive::add);
        }
        if (alive.isEmpty()) {
            return;
        }
        ServiceReplica victim = alive.get(random.nextInt(alive.size()));
        if (!victim.kill()) {
            return;
        }
        kills.incrementAndGet();
        LOG.infof("faults: kill -9 %s", victim.name());
        pending.add(restarts.submit(() -> startAgain(victim)));
    }

    /**
     * Starts a killed replica again as a process supervisor would (Kubernetes restarting a crashed container): after
     * {@code restartDelay}, then, while a start fails, after twice the previous delay (at most {@link #MAX_BACKOFF})
     * until it runs or the injector is closed. Failed starts are counted; a replica still down at the end is a failure
     * of the run ({@link #down()}).
     */
    private void startAgain(ServiceReplica victim) {
        Duration delay = settings.restartDelay();
        for (int attempt = 1; !Thread.currentThread().isInterrupted(); attempt++) {
            sleep(delay);
            try {
                victim.start();
                replicaStarts.incrementAndGet();
                LOG.infof("faults: %s runs again", victim.name());
                return;
            } catch (RuntimeException e) {
                failedStarts.incrementAndGet();
                LOG.warnf("faults: start %d of %s failed: %s", attempt, victim.name(), firstCause(e));
                delay = delay.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay.multipliedBy(2);
            }
        }
    }

    /** @return the exception's first message line and its root cause's, e.g. Flyway's connection timeout */
    private static String firstCause(Throwable e) {
        String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root == e ? first : first + " (" + root + ")";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
