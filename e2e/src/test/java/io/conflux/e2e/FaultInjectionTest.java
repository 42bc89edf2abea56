package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.cli.local.ServiceReplica;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.notification.Receiver;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue #12's fault-injection suite: the real embedded stack (KRaft Kafka with {@code faults.partitions} partitions
 * per topic, PostgreSQL, the in-memory Kubernetes API) with {@code faults.replicas} replicas of each of the four
 * services; a generated repository ({@link StormRepository}) of {@code faults.kustomizations} Kustomizations, some in
 * {@code dependsOn} chains, some with {@code wait: true}, reached through {@code https://git.conflux.local/faults}
 * and a URL rewrite; a storm of {@code faults.commits} commits, each pushed with a signed GitHub webhook to a random
 * receiver replica, besides the GitRepository's own polls; during it a {@code kill -9} of a random service replica
 * every {@code faults.kill-interval} (started again shortly after), one PostgreSQL restart (a third into the storm)
 * and one Kafka broker restart (two thirds in) ({@link FaultInjector}).
 *
 * <p>Then it waits, within {@code faults.timeout} for the whole run, until every check holds and prints the figures
 * ({@link StormReport#table()}, also written to {@code e2e/target/faults-<millis>/report.txt}): every Kustomization
 * Ready at the last commit; every object on the cluster equal to the last commit's render, none missing, none left
 * unpruned ({@link ExpectedObjects}); no revision applied after a newer one ({@link AppliedOrder}); a success
 * notification of every Kustomization at the last commit, duplicates of a (object, revision, outcome) counted
 * ({@link NotificationCount}); no record dead-lettered, since every fault is transient ({@link DeadLetters}). The
 * test fails naming every check that does not hold.
 *
 * <p>Tagged {@code faults}: the default build excludes it, the Maven profile {@code faults} runs it (see the README's
 * "Fault injection"). Sizes and rhythm: {@link FaultsSettings}.
 */
@Tag("faults")
class FaultInjectionTest {
    private static final Logger LOG = Logger.getLogger(FaultInjectionTest.class);
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final String NS = StormRepository.FLUX_NAMESPACE;
    static final String TOKEN = "faults-receiver-token";
    static final Duration POLL = Duration.ofSeconds(5);
    static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
    /** How long the end of the storm waits for killed replicas to run again (their starts go on afterwards). */
    static final Duration RESTART_WAIT = Duration.ofMinutes(5);
    /** Kept at the end of {@code faults.timeout} to read the figures and stop everything. */
    static final Duration REPORT_RESERVE = Duration.ofMinutes(1);

    @Test
    void everyKustomizationConvergesOnTheLastCommitThroughKillsAndRestarts() throws Exception {
        FaultsSettings settings = FaultsSettings.fromSystemProperties();
        long started = System.nanoTime();
        long deadline = started + settings.timeout().minus(REPORT_RESERVE).toNanos();
        Path work = PROJECT.resolve("e2e/target/faults-" + System.currentTimeMillis());
        StormRepository repo = StormRepository.create(work.resolve("git/faults"), settings.kustomizations(),
            settings.seed(), settings.interval());
        List<String> all = new ArrayList<>(repo.kustomizationNames());
        all.add(0, StormRepository.NAME);
        LOG.infof("fault injection in %s: %s", work, settings);

        ExecutorService background = Executors.newCachedThreadPool(r -> new Thread(r, "faults-background"));
        try (SlackSink slack = new SlackSink();
             LocalInstallation conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                 Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                 Duration.ofMinutes(10), Duration.ofSeconds(1)).withReplicas(settings.replicas(), settings.partitions()));
             FaultInjector faults = new FaultInjector(conflux, settings)) {
            KubernetesClient client = conflux.client();
            Bootstrap.slackAlert(client, NS, slack.url(), List.of(NS));
            Bootstrap.githubReceiver(client, NS, "github", TOKEN, List.of(StormRepository.NAME));
            String hookPath = awaitWebhookPath(client, deadline);
            Bootstrap.gitOps(client, new Bootstrap.Source(NS, StormRepository.NAME,
                "https://git.conflux.local/" + StormRepository.NAME, "main", StormRepository.ROOT_PATH,
                settings.pollInterval()));
            long initial = Math.min(deadline, System.nanoTime() + Duration.ofMinutes(10).toNanos());
            int readyAtStart = awaitReady(client, all, repo.head(), initial);
            LOG.infof("fault injection: %d of %d Kustomizations Ready at the first commit after %d s; storm starts",
                readyAtStart, all.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

            // the storm, with kills throughout and the two infrastructure restarts one after the other
            Random random = new Random(settings.seed());
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger limited = new AtomicInteger();
            List<CompletableFuture<Void>> deliveries = new ArrayList<>();
            CompletableFuture<Void> infrastructure = CompletableFuture.completedFuture(null);
            faults.startKilling();
            long stormStart = System.nanoTime();
            int commits = 0;
            for (int c = 1; c <= settings.commits() && System.nanoTime() < deadline; c++) {
                String before = repo.head();
                String after = repo.commit();
                commits++;
                deliveries.add(push(background, conflux, random, hookPath, before, after, accepted, limited, refused));
                if (c == Math.max(1, settings.commits() / 3)) {
                    infrastructure = infrastructure.thenRunAsync(faults::restartPostgres, background);
                }
                if (c == Math.max(1, 2 * settings.commits() / 3)) {
                    infrastructure = infrastructure.thenRunAsync(faults::restartKafka, background);
                }
                Thread.sleep(settings.commitInterval().toMillis());
            }
            Duration stormTime = Duration.ofNanos(System.nanoTime() - stormStart);
            long stormEnd = System.nanoTime();
            infrastructure.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            faults.stop(Duration.ofNanos(Math.max(0, Math.min(deadline - System.nanoTime(), RESTART_WAIT.toNanos()))));
            CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new))
                .get(WEBHOOK_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            LOG.infof("fault injection: storm of %d commits done in %d s; waiting for convergence", commits,
                stormTime.toSeconds());

            // convergence: every check, polled until it holds or the time is up
            ExpectedObjects expected = ExpectedObjects.render(repo);
            Duration convergeTime = null;
            while (true) {
                int ready = awaitReady(client, all, repo.head(), System.nanoTime());
                ExpectedObjects.Comparison objects = expected.compare(client);
                NotificationCount notifications = NotificationCount.of(slack.all(), NS, all, repo.head());
                if (ready == all.size() && objects.exact() && notifications.missing().isEmpty()) {
                    convergeTime = Duration.ofNanos(System.nanoTime() - stormEnd);
                    break;
                }
                if (System.nanoTime() + POLL.toNanos() > deadline) {
                    break;
                }
                Thread.sleep(POLL.toMillis());
            }

            StormReport report = report(settings, started, stormTime, convergeTime, commits, accepted.get(),
                limited.get(), refused.get(), faults, conflux, client, all, repo, expected, slack);
            String table = report.table();
            System.out.println(table);
            Files.writeString(work.resolve("report.txt"), table);
            assertThat(report.violations()).as("fault injection (logs in %s):%n%s", work.resolve("logs"), table)
                .isEmpty();
        } finally {
            background.shutdownNow();
        }
    }

    private static StormReport report(FaultsSettings settings, long started, Duration stormTime,
                                      Duration convergeTime, int commits, int accepted, int limited, int refused,
                                      FaultInjector faults, LocalInstallation conflux, KubernetesClient client,
                                      List<String> all, StormRepository repo, ExpectedObjects expected,
                                      SlackSink slack) {
        Map<String, Integer> steps = new HashMap<>();
        List<String> shas = repo.commits();
        for (int i = 0; i < shas.size(); i++) {
            steps.put("main@sha1:" + shas.get(i), i);
        }
        String last = "main@sha1:" + repo.head();
        List<String> notConverged = new ArrayList<>();
        int ready = 0;
        for (String name : all) {
            Kustomization k = client.resources(Kustomization.class).inNamespace(NS).withName(name).get();
            if (isReadyAt(k, last)) {
                ready++;
                continue;
            }
            if (k == null || k.getStatus() == null) {
                notConverged.add(name + ": " + (k == null ? "absent" : "no status"));
                continue;
            }
            Condition c = Conditions.find(k.getStatus().conditions(), Condition.READY).orElse(null);
            String applied = k.getStatus().lastAppliedRevision();
            notConverged.add(name + ": Ready=" + (c == null ? "-" : c.status() + " " + c.reason()) + ", applied "
                + (applied == null ? "nothing" : "step " + steps.getOrDefault(applied, -1)) + " of " + (shas.size() - 1));
        }
        AppliedOrder order = null;
        String orderError = null;
        try {
            order = AppliedOrder.read(conflux.postgres(), NS, shas);
        } catch (java.sql.SQLException e) {
            orderError = e.getMessage();
        }
        Map<String, Long> deadLetters = null;
        try {
            deadLetters = DeadLetters.count(conflux.kafkaBootstrapServers());
        } catch (IllegalStateException e) {
            LOG.warnf("fault injection: %s", e.getMessage());
        }
        return new StormReport(settings, Duration.ofNanos(System.nanoTime() - started), stormTime, convergeTime,
            commits, accepted, limited, refused, faults.kills(), faults.replicaStarts(), faults.failedStarts(),
            faults.postgresRestarts(), faults.kafkaRestarts(), ready, all.size(), notConverged,
            expected.compare(client), order, orderError, NotificationCount.of(slack.all(), NS, all, repo.head()),
            deadLetters, faults.down());
    }

    /** Waits until every Kustomization in {@code names} is Ready at {@code sha} or {@code until} passed. */
    private static int awaitReady(KubernetesClient client, List<String> names, String sha, long until)
            throws InterruptedException {
        String revision = "main@sha1:" + sha;
        while (true) {
            int ready = 0;
            for (String name : names) {
                if (isReadyAt(client.resources(Kustomization.class).inNamespace(NS).withName(name).get(), revision)) {
                    ready++;
                }
            }
            if (ready == names.size() || System.nanoTime() + POLL.toNanos() > until) {
                return ready;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static boolean isReadyAt(Kustomization k, String revision) {
        return k != null && k.getStatus() != null && revision.equals(k.getStatus().lastAppliedRevision())
            && Conditions.find(k.getStatus().conditions(), Condition.READY).map(c -> "True".equals(c.status()))
                .orElse(false);
    }

    private static String awaitWebhookPath(KubernetesClient client, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            Receiver r = client.resources(Receiver.class).inNamespace(NS).withName("github").get();
            if (r != null && r.getStatus() != null && r.getStatus().webhookPath() != null) {
                return r.getStatus().webhookPath();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the Receiver github got no webhook path in time");
    }

    /**
     * Sends the push webhook of {@code before..after} to a random running receiver replica, in the background;
     * counts a 2xx as accepted, a 429 (the receiver's per-Receiver rate limit, by design) as limited, anything else
     * (an error, unreachable, no answer in 10 s) as refused.
     */
    private static CompletableFuture<Void> push(ExecutorService background, LocalInstallation conflux, Random random,
                                                String hookPath, String before, String after, AtomicInteger accepted,
                                                AtomicInteger limited, AtomicInteger refused) {
        List<ServiceReplica> receivers = conflux.replicas("webhook-receiver").stream()
            .filter(ServiceReplica::isAlive).toList();
        if (receivers.isEmpty()) {
            refused.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        ServiceReplica receiver = receivers.get(random.nextInt(receivers.size()));
        GitHubWebhook github = new GitHubWebhook(receiver.launcher().baseUrl() + hookPath, TOKEN);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return github.send("push", UUID.randomUUID().toString(),
                    GitHubWebhook.push("conflux/" + StormRepository.NAME, "main", before, after)).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }, background).completeOnTimeout(-1, WEBHOOK_TIMEOUT.toSeconds(), TimeUnit.SECONDS).thenAccept(status -> {
            if (status >= 200 && status < 300) {
                accepted.incrementAndGet();
            } else if (status == 429) {
                limited.incrementAndGet();
            } else {
                refused.incrementAndGet();
            }
        });
    }
}
