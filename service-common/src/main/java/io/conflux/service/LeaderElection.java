package io.conflux.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leadership among a service's replicas for work that has no object key (index fetches, global sweeps): fabric8's
 * {@code LeaderElector} on a coordination.k8s.io {@code Lease} named after {@code quarkus.application.name}
 * ({@code conflux-<service>}) in {@code conflux.leader.namespace}, held for {@code conflux.leader.lease-duration}
 * (renewed at two thirds of it, retried every fifth of it), released on shutdown.
 *
 * <p>Started by the first {@link #isLeader()} call, or at start-up when {@code conflux.leader.enabled=true}; a
 * service that never asks does not touch the API server.
 */
@ApplicationScoped
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Inject
    KubernetesClient client;

    @ConfigProperty(name = "quarkus.application.name")
    String leaseName;

    @ConfigProperty(name = "conflux.leader.namespace")
    String namespace;

    @ConfigProperty(name = "conflux.leader.lease-duration")
    Duration leaseDuration;

    @ConfigProperty(name = "conflux.leader.enabled")
    boolean enabled;

    private final String identity = UUID.randomUUID().toString();
    private volatile boolean leader;
    private CompletableFuture<?> running;
    private boolean stopped;

    /** For CDI. */
    public LeaderElection() {
    }

    /** For code built by hand (tests); nothing starts before {@link #isLeader()} or {@link #start()}. */
    public LeaderElection(KubernetesClient client, String leaseName, String namespace, Duration leaseDuration) {
        this.client = client;
        this.leaseName = leaseName;
        this.namespace = namespace;
        this.leaseDuration = leaseDuration;
    }

    void onStart(@Observes StartupEvent event) {
        if (enabled) {
            start();
        }
    }

    /** @return true while this replica holds the Lease; the first call starts the election (and is false) */
    public boolean isLeader() {
        start();
        return leader;
    }

    /** @return this replica's holder identity in the Lease */
    public String identity() {
        return identity;
    }

    /** Starts competing for the Lease, once; idempotent; a no-op after {@link #stop()}. */
    public synchronized void start() {
        if (running != null || stopped) {
            return;
        }
        running = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(leaseName)
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                .withRetryPeriod(leaseDuration.dividedBy(5))
                .withLock(new LeaseLock(namespace, leaseName, identity))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> {
                            leader = true;
                            LOG.infof("leading %s/%s", namespace, leaseName);
                        },
                        () -> {
                            leader = false;
                            LOG.infof("no longer leading %s/%s", namespace, leaseName);
                        },
                        newLeader -> LOG.debugf("%s/%s is led by %s", namespace, leaseName, newLeader)))
                .build()).build().start();
    }

    /** Stops competing for good and releases the Lease if held. */
    @PreDestroy
    public synchronized void stop() {
        stopped = true;
        if (running != null) {
            running.cancel(true);
            running = null;
        }
        leader = false;
    }

    /** @return the lease duration as configured (for callers sizing their own loops) */
    public Duration leaseDuration() {
        return leaseDuration;
    }
}
