package io.conflux.e2e;

import io.conflux.cli.local.LocalInstallation;
import io.conflux.cli.local.ServiceReplica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The faults of a run, injected into a {@link LocalInstallation} from a thread of its own while the storm runs:
 * every {@code killInterval} a {@code kill -9} of a random running service replica (of any service), which is started
 * again {@code restartDelay} later; and, when asked, one restart of PostgreSQL and one of the Kafka broker, each
 * down for {@code outage}. {@link #close()} stops the kills and waits until every replica runs again.
 *
 * <p>Counts what was done ({@link #kills()}, {@link #replicaStarts()}, {@link #postgresRestarts()},
 * {@link #kafkaRestarts()}) and remembers failures to start a replica again ({@link #failures()}), which end the run
 * as failed: a replica that cannot start after a kill is a finding in itself.
 */
final class FaultInjector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FaultInjector.class);

    private final LocalInstallation conflux;
    private final FaultsSettings settings;
    private final Random random;
    private final ExecutorService killer = Executors.newSingleThreadExecutor(r -> new Thread(r, "faults-killer"));
    private final ExecutorService restarts = Executors.newCachedThreadPool(r -> new Thread(r, "faults-restart"));
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger replicaStarts = new AtomicInteger();
    private final AtomicInteger postgresRestarts = new AtomicInteger();
    private final AtomicInteger kafkaRestarts = new AtomicInteger();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<java.util.concurrent.Future<?>> pending = java.util.Collections.synchronizedList(new ArrayList<>());

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

    /** @return PostgreSQL restarts done */
    int postgresRestarts() {
        return postgresRestarts.get();
    }

    /** @return Kafka broker restarts done */
    int kafkaRestarts() {
        return kafkaRestarts.get();
    }

    /** @return replicas that did not start again, with the reason, one line each */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /**
     * Stops the kills, then waits (up to {@code bound}) until every killed replica was started again.
     *
     * @param bound how long to wait for pending starts
     */
    void stop(Duration bound) {
        stopped.set(true);
        killer.shutdownNow();
        long deadline = System.nanoTime() + bound.toNanos();
        List<java.util.concurrent.Future<?>> waiting;
        synchronized (pending) {
            waiting = List.copyOf(pending);
        }
        for (java.util.concurrent.Future<?> f : waiting) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                failures.add("a replica start did not finish: " + e);
            }
        }
    }

    /** As {@link #stop(Duration)} with five minutes, then frees the threads. */
    @Override
    public void close() {
        if (!stopped.get()) {
            stop(Duration.ofMinutes(5));
        }
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
        pending.add(restarts.submit(() -> {
            sleep(settings.restartDelay());
            try {
                victim.start();
                replicaStarts.incrementAndGet();
                LOG.infof("faults: %s runs again", victim.name());
            } catch (RuntimeException e) {
                failures.add(victim.name() + " did not start again: " + e.getMessage().lines().findFirst().orElse(""));
                LOG.errorf("faults: %s did not start again: %s", victim.name(), e.getMessage());
            }
        }));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
