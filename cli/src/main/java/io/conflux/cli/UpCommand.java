package io.conflux.cli;

import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.BootstrapUrl;
import io.conflux.cli.local.EdgeSiteExample;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.cli.table.StatusTable;
import io.conflux.model.meta.GoDuration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code conflux up}: starts Conflux on this machine (real Kafka, real PostgreSQL, the four services, and an
 * in-memory Kubernetes API when no kubeconfig is given), bootstraps a GitRepository + Kustomization from a
 * repository, waits until the tree has converged and prints the {@code flux get}-style tables.
 */
@Command(name = "up", description = "Run Conflux locally and bootstrap it from a Git repository.")
final class UpCommand implements Callable<Integer> {

    @Option(names = "--example", description = "bundled example to run: edge-site (the seeds' multi-site layout)")
    String example;

    @Option(names = "--repo", description = "repository to bootstrap from: a local path or a URL")
    String repo;

    @Option(names = "--branch", defaultValue = "main", description = "branch to track (default: ${DEFAULT-VALUE})")
    String branch;

    @Option(names = "--path", defaultValue = "./", description = "path of the bootstrap Kustomization (default: ${DEFAULT-VALUE})")
    String path;

    @Option(names = "--url-rewrite", description = "git insteadOf rewrite <prefix>=<base>, repeatable; the only way "
            + "to a local repository (a GitRepository names http, https or ssh URLs)")
    List<String> urlRewrites = new ArrayList<>();

    @Option(names = "--kubeconfig", description = "an existing management cluster (default: in-memory API server)")
    Path kubeconfig;

    @Option(names = "--work-dir", defaultValue = ".conflux", description = "data, logs and kubeconfig (recreated; default: ${DEFAULT-VALUE})")
    Path workDir;

    @Option(names = "--fixtures", description = "directory of the example repositories (default: <project>/../shared/fixtures/repos)")
    Path fixtures;

    @Option(names = "--any-ports", description = "give the services any free ports instead of 9292-9295")
    boolean anyPorts;

    @Option(names = "--slack-url", description = "Slack incoming-webhook URL to alert on every Kustomization event")
    String slackUrl;

    @Option(names = "--timeout", defaultValue = "5m", description = "how long to wait for convergence, Go duration (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--service-jvm-options", split = " ", paramLabel = "OPTIONS",
            description = "options of the services' JVM (of each of the four with --separate-jvms), space-separated, "
                + "replacing the defaults (a serial collector and a bounded heap; the README's configuration section "
                + "lists them)")
    List<String> serviceJvmOptions;

    @Option(names = "--separate-jvms", description = "run each of the four services in a JVM of its own (as the "
        + "end-to-end and fault tests do) instead of all four in one JVM, each in its own class loader")
    boolean separateJvms;

    @Option(names = "--exit", description = "stop everything after printing the tables (exit code 0 when all are Ready)")
    boolean exit;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Path root = ProjectHome.root();
        Path work = workDir.toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);

        Map<String, String> rewrites = new LinkedHashMap<>();
        Bootstrap.Source source;
        if ("edge-site".equals(example)) {
            Path fixtureDir = fixtures != null ? fixtures : root.resolve("../shared/fixtures/repos").normalize();
            EdgeSiteExample site = EdgeSiteExample.create(fixtureDir, work);
            rewrites.putAll(site.urlRewrites());
            source = new Bootstrap.Source("default", "ecs-infra", site.infraUrl(), "main", EdgeSiteExample.SITE_PATH, "1m");
        } else if (example != null) {
            throw new IllegalArgumentException("unknown example: " + example + " (edge-site)");
        } else if (repo != null) {
            // a GitRepository names only http, https and ssh URLs: a local repository gets one, and a rewrite to it
            BootstrapUrl bootstrap = BootstrapUrl.of(repo);
            rewrites.putAll(bootstrap.rewrites());
            source = new Bootstrap.Source("flux-system", bootstrap.name(), bootstrap.url(), branch, path, "1m");
        } else {
            throw new IllegalArgumentException("give --example edge-site or --repo PATH|URL");
        }
        for (String rule : urlRewrites) {
            int eq = rule.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--url-rewrite must be <prefix>=<base>: " + rule);
            }
            rewrites.put(rule.substring(0, eq), rule.substring(eq + 1));
        }

        System.out.println("► starting Kafka, PostgreSQL, " + (kubeconfig == null ? "in-memory Kubernetes API, " : "")
                + "webhook-receiver, renderer, applier, notifier (logs in " + work.resolve("logs") + ")");
        LocalInstallation installation = LocalInstallation.start(new LocalInstallation.Options(root, work, rewrites,
                kubeconfig, anyPorts ? Map.of() : LocalInstallation.DEFAULT_PORTS, Duration.ofMinutes(3))
                .withOneJvm(!separateJvms)
                .withJvmOptions(serviceJvmOptions != null ? serviceJvmOptions
                        : separateJvms ? LocalInstallation.DEFAULT_JVM_OPTIONS : LocalInstallation.ONE_JVM_OPTIONS));
        Runtime.getRuntime().addShutdownHook(new Thread(installation::close));
        var client = installation.client();
        if ("edge-site".equals(example) && kubeconfig == null) {
            EdgeSiteExample.installPlatform(client, root);
        }
        String token = UUID.randomUUID().toString();
        Bootstrap.githubReceiver(client, source.namespace(), source.name(), token, List.of(source.name()));
        if (slackUrl != null) {
            Bootstrap.slackAlert(client, source.namespace(), slackUrl, List.of(source.namespace(), "flux-system"));
        }
        Bootstrap.gitOps(client, source);
        System.out.println("► bootstrapped GitRepository and Kustomization " + source.namespace() + "/" + source.name()
                + " from " + source.url() + " (" + source.path() + ")");

        boolean ready = awaitConvergence(installation, GoDuration.parse(timeout));
        System.out.println();
        System.out.println("GitRepositories:");
        System.out.print(StatusTable.format(StatusTable.gitRepositories(client)));
        System.out.println();
        System.out.println("Kustomizations:");
        System.out.print(StatusTable.format(StatusTable.kustomizations(client)));
        List<StatusTable.Row> helm = StatusTable.helmReleases(client);
        if (!helm.isEmpty()) {
            System.out.println();
            System.out.println("HelmReleases:");
            System.out.print(StatusTable.format(helm));
        }
        System.out.printf("%n%s in %.1f s%n", ready ? "✔ all Kustomizations are Ready" : "✗ not every Kustomization is Ready",
                (System.nanoTime() - started) / 1e9);
        if (exit) {
            installation.close();
            return ready ? 0 : 1;
        }
        System.out.println("► Conflux is running. export KUBECONFIG=" + installation.kubeconfig()
                + "; webhook receiver on http://127.0.0.1:" + installation.service("webhook-receiver").httpPort()
                + " (Receiver " + source.namespace() + "/" + source.name() + ", token " + token + "; control API bearer token in "
                + work.resolve("control-token") + "). Ctrl-C stops it.");
        new CountDownLatch(1).await();
        return 0;
    }

    /** Waits until every Kustomization is Ready, or every one has a Ready condition and nothing changed for 10 s. */
    private static boolean awaitConvergence(LocalInstallation installation, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            List<StatusTable.Row> rows = StatusTable.kustomizations(installation.client());
            boolean allReady = !rows.isEmpty() && rows.stream().allMatch(r -> "True".equals(r.ready()));
            String now = rows.toString();
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            }
            boolean allDecided = !rows.isEmpty() && rows.stream().noneMatch(r -> "Unknown".equals(r.ready()));
            if (allReady && System.nanoTime() - stableSince > Duration.ofSeconds(3).toNanos()
                    || allDecided && System.nanoTime() - stableSince > Duration.ofSeconds(10).toNanos()) {
                return allReady;
            }
            Thread.sleep(500);
        }
        return false;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }
}
