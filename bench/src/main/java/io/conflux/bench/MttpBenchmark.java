package io.conflux.bench;

import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Mean Time To Production benchmark of issue #17, shaped like Flux's fluxcd/flux-benchmark: a repository with one
 * {@code GitRepository} and N {@code Kustomization}s in {@code flux-system} (each {@code path: ./apps/podinfo},
 * {@code targetNamespace: bench}, {@code wait: true}, {@code prune: true}, postBuild {@code INDEX}; the app is a
 * ServiceAccount, a Service, a Deployment scaled to zero and an Ingress), or N {@code HelmRelease}s of podinfo's chart
 * (from {@code ../shared/fixtures/repos/podinfo/charts/podinfo}, served by a {@link LocalChartRepository}), run by a
 * fresh local installation with the embedded defaults (as {@code conflux up}: Kafka, PostgreSQL, the in-memory
 * Kubernetes API and the four services).
 *
 * <p>Prints one line per run: N, seconds from the bootstrap (the {@code flux-system} GitRepository and Kustomization
 * applied) until every Kustomization/HelmRelease is Ready at the repository's revision (counted from a watch, {@link
 * ReadyCounter}, and confirmed by a list: {@code waitForAll}), seconds until the services
 * were up (Kafka, PostgreSQL and all four services ready), the peak resident set size summed over every process of
 * the installation (this JVM, which hosts Kafka and the API server as {@code conflux up}'s does, and all its
 * descendants: the four service JVMs and PostgreSQL), sampled every 250 ms from {@code /proc}, and the CPU seconds
 * (user + system) of those processes from the start to the end of the run.
 *
 * <p>Usage (from the project root, through {@code bench/mttp.sh}):
 * {@code MttpBenchmark --project=. --kind=kustomizations|helmreleases --count=N [--timeout=30m]
 * [--service-jvm-options="-Xmx256m ..."] [--separate-jvms]} ({@code --service-jvm-options} replaces
 * {@link LocalInstallation#ONE_JVM_OPTIONS}, or {@link LocalInstallation#DEFAULT_JVM_OPTIONS} with
 * {@code --separate-jvms}, which runs each service in a JVM of its own instead of all four in one). Linux only
 * ({@code /proc}).
 */
public final class MttpBenchmark {
    /** The namespace every app lands in, as flux-benchmark's single tenant namespace. */
    static final String APP_NAMESPACE = "bench";

    /** One app's Kustomization; {@code %1$d} the index, {@code %2$s} the target namespace. */
    private static final String KUSTOMIZATION = """
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: podinfo-%1$d
              namespace: flux-system
            spec:
              interval: 60m
              retryInterval: 2m
              timeout: 5m
              path: ./apps/podinfo
              prune: true
              wait: true
              targetNamespace: %2$s
              sourceRef:
                kind: GitRepository
                name: bench
              postBuild:
                substitute:
                  INDEX: "%1$dapp"
            """;
    /** The local Helm repository of podinfo's chart; {@code %s} its URL. */
    private static final String HELM_REPOSITORY = """
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: HelmRepository
            metadata:
              name: podinfo
              namespace: flux-system
            spec:
              interval: 60m
              url: %s
            """;
    /** One app's HelmRelease; {@code %1$d} the index, {@code %2$s} the target namespace. */
    private static final String HELM_RELEASE = """
            ---
            apiVersion: helm.toolkit.fluxcd.io/v2
            kind: HelmRelease
            metadata:
              name: podinfo-%1$d
              namespace: flux-system
            spec:
              interval: 60m
              targetNamespace: %2$s
              releaseName: podinfo-%1$d
              chart:
                spec:
                  chart: podinfo
                  sourceRef:
                    kind: HelmRepository
                    name: podinfo
              values:
                replicaCount: 0
            """;

    /** The longest the count relies on the watch alone before a list checks it. */
    private static final Duration CHECK_EVERY = Duration.ofMinutes(2);
    /** How often the watch's count is printed. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
    /** The request timeout of the confirming lists, in ms. */
    private static final int LIST_TIMEOUT_MS = 300_000;

    private MttpBenchmark() {
    }

    /** Entry point; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchMain.parse(args);
        Path project = Path.of(options.getOrDefault("project", ".")).toAbsolutePath().normalize();
        String kind = options.getOrDefault("kind", "kustomizations");
        int count = Integer.parseInt(options.getOrDefault("count", "100"));
        Duration timeout = Duration.parse("PT" + options.getOrDefault("timeout", "30m").toUpperCase());
        if (!kind.equals("kustomizations") && !kind.equals("helmreleases")) {
            throw new IllegalArgumentException("--kind must be kustomizations or helmreleases: " + kind);
        }
        boolean oneJvm = !options.containsKey("separate-jvms");
        List<String> jvmOptions = options.containsKey("service-jvm-options")
                ? List.of(options.get("service-jvm-options").trim().split("\\s+"))
                : oneJvm ? LocalInstallation.ONE_JVM_OPTIONS : LocalInstallation.DEFAULT_JVM_OPTIONS;
        Path work = Files.createTempDirectory("conflux-mttp");
        ProcessSampler sampler = ProcessSampler.start(Duration.ofMillis(250), work.toString());
        long startNanos = System.nanoTime();
        LocalChartRepository charts = kind.equals("helmreleases")
                ? LocalChartRepository.start(project.resolve("../shared/fixtures/repos/podinfo/charts/podinfo").normalize())
                : null;
        boolean allReady;
        try {
            Path repo = work.resolve("git/bench");
            writeRepository(work.resolve("tree"), kind, count, charts == null ? null : charts.url());
            String sha = FixtureRepositories.create(work.resolve("tree"), repo, "main");
            try (LocalInstallation conflux = LocalRun.start(project, work, jvmOptions, oneJvm)) {
                double servicesUp = (System.nanoTime() - startNanos) / 1e9;
                long bootstrap = System.nanoTime();
                bootstrap(conflux, new Bootstrap.Source("flux-system", "bench",
                        "https://git.conflux.local/bench", "main", "./clusters/bench", "60m"));
                String revision = "main@sha1:" + sha;
                // a list of 10,000 objects can take longer than the client's default 10 s on a loaded machine
                KubernetesClient lister = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                        conflux.client().getConfiguration()).withRequestTimeout(LIST_TIMEOUT_MS).build()).build();
                LongSupplier listed = kind.equals("kustomizations")
                        ? () -> readyKustomizations(lister, revision)
                        : () -> readyHelmReleases(lister);
                long deadline = bootstrap + timeout.toNanos();
                long seen = 0;
                long readyAt;
                try (ReadyCounter<?> watched = kind.equals("kustomizations")
                        ? new ReadyCounter<>(conflux.client().resources(Kustomization.class), "flux-system",
                                k -> isReady(k, revision))
                        : new ReadyCounter<>(conflux.client().resources(HelmRelease.class), "flux-system",
                                MttpBenchmark::isReady)) {
                    readyAt = waitForAll(watched, listed, count, deadline);
                    seen = readyAt > 0 ? count : poll(listed, watched.count());
                } finally {
                    lister.close();
                }
                double toReady = ((readyAt > 0 ? readyAt : System.nanoTime()) - bootstrap) / 1e9;
                ProcessSampler.Figures figures = sampler.stop();
                allReady = seen >= count;
                System.out.printf("%s=%d %s in %.1f s; services up %.1f s (their JVMs %.1f s, %.1f CPU s); peak memory "
                        + "%d MiB (%d processes; per part %s); CPU %.1f s%n",
                        kind, count, allReady ? "all Ready" : "TIMEOUT, only " + seen + " Ready", toReady, servicesUp,
                        conflux.servicesStartTime().toMillis() / 1e3, conflux.servicesStartCpuTime().toMillis() / 1e3,
                        figures.peakMiB(), figures.processes(),
                        figures.peakMiBByPart(), figures.cpuSeconds());
            }
        } finally {
            if (charts != null) {
                charts.close();
            }
        }
        System.exit(allReady ? 0 : 1);
    }

    /**
     * Waits until all {@code count} objects are Ready: the watch's count is read every 100 ms (and printed every
     * {@link #PROGRESS_EVERY}), and a list confirms it — when the watch reaches {@code count}, and at the latest every
     * {@link #CHECK_EVERY} in case the watch missed an event. A list of N objects costs the API server, which runs in
     * this JVM, O(N): listing every second made a 10,000 run measure mostly its own poll. While the watch says all are
     * Ready and a list does not, lists are spaced at least ten times the last list's duration.
     *
     * @return {@link System#nanoTime()} when the confirming list started, or 0 if the deadline came first
     */
    private static long waitForAll(ReadyCounter<?> watched, LongSupplier listed, int count, long deadline)
            throws InterruptedException {
        long start = System.nanoTime();
        long nextList = start + CHECK_EVERY.toNanos();
        long nextProgress = start + PROGRESS_EVERY.toNanos();
        long earliestList = 0;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if ((watched.count() >= count && now >= earliestList) || now >= nextList) {
                long seen = poll(listed, 0);
                long took = System.nanoTime() - now;
                System.err.printf("%.0f s: %d Ready by the watch, %d by a list (%.1f s)%n",
                        (now - start) / 1e9, watched.count(), seen, took / 1e9);
                if (seen >= count) {
                    return now;
                }
                earliestList = System.nanoTime() + Math.max(TimeUnit.SECONDS.toNanos(1), 10 * took);
                nextList = System.nanoTime() + CHECK_EVERY.toNanos();
            } else if (now >= nextProgress) {
                System.err.printf("%.0f s: %d Ready by the watch%n", (now - start) / 1e9, watched.count());
                nextProgress = now + PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(100);
        }
        return 0;
    }

    /**
     * @return the Ready count, or {@code last} when the read failed (a list of 1,000 objects may time out on a loaded
     *         machine: that is a slow poll, not the end of the run; the deadline still bounds it)
     */
    private static long poll(LongSupplier ready, long last) {
        try {
            return ready.getAsLong();
        } catch (KubernetesClientException e) {
            System.err.println("poll failed, trying again: " + e.getMessage());
            return last;
        }
    }

    private static long readyKustomizations(KubernetesClient client, String revision) {
        return client.resources(Kustomization.class).inNamespace("flux-system").list().getItems().stream()
                .filter(k -> isReady(k, revision))
                .count();
    }

    private static long readyHelmReleases(KubernetesClient client) {
        return client.resources(HelmRelease.class).inNamespace("flux-system").list().getItems().stream()
                .filter(MttpBenchmark::isReady)
                .count();
    }

    /** @return whether {@code k} is one of the N apps and Ready at {@code revision} */
    private static boolean isReady(Kustomization k, String revision) {
        return k.getMetadata().getName().startsWith("podinfo-") && k.getStatus() != null
                && revision.equals(k.getStatus().lastAppliedRevision())
                && Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration());
    }

    /** @return whether {@code h} is Ready for its generation */
    private static boolean isReady(HelmRelease h) {
        return h.getStatus() != null && Conditions.isReady(h.getStatus().conditions(), h.getMetadata().getGeneration());
    }

    /**
     * Writes the benchmark repository: {@code clusters/bench/} with the {@code bench} Namespace and the N objects,
     * {@code apps/podinfo/} with the app's four objects (Kustomizations only).
     */
    static void writeRepository(Path tree, String kind, int count, String chartUrl) throws IOException {
        Path cluster = tree.resolve("clusters/bench");
        Files.createDirectories(cluster);
        Files.writeString(cluster.resolve("namespace.yaml"), """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                """.formatted(APP_NAMESPACE));
        StringBuilder objects = new StringBuilder();
        String template = KUSTOMIZATION;
        if (kind.equals("kustomizations")) {
            writeApp(tree.resolve("apps/podinfo"));
        } else {
            objects.append(HELM_REPOSITORY.formatted(chartUrl));
            template = HELM_RELEASE;
        }
        for (int i = 0; i < count; i++) {
            objects.append(template.formatted(i, APP_NAMESPACE));
        }
        Files.writeString(cluster.resolve(kind + ".yaml"), objects.toString());
    }

    /** The app: a ServiceAccount, a Service, a Deployment scaled to zero and an Ingress, named by {@code INDEX}. */
    private static void writeApp(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - app.yaml
                """);
        Files.writeString(dir.resolve("app.yaml"), """
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: podinfo-${INDEX}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: podinfo-${INDEX}
                spec:
                  selector:
                    app: podinfo-${INDEX}
                  ports:
                    - name: http
                      port: 9898
                      targetPort: http
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: podinfo-${INDEX}
                spec:
                  replicas: 0
                  selector:
                    matchLabels:
                      app: podinfo-${INDEX}
                  template:
                    metadata:
                      labels:
                        app: podinfo-${INDEX}
                    spec:
                      serviceAccountName: podinfo-${INDEX}
                      containers:
                        - name: podinfo
                          image: ghcr.io/stefanprodan/podinfo:6.5.3
                          ports:
                            - name: http
                              containerPort: 9898
                          resources:
                            requests:
                              cpu: 1m
                              memory: 16Mi
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: podinfo-${INDEX}
                spec:
                  ingressClassName: nginx
                  rules:
                    - host: podinfo-${INDEX}.local
                      http:
                        paths:
                          - path: /
                            pathType: ImplementationSpecific
                            backend:
                              service:
                                name: podinfo-${INDEX}
                                port:
                                  number: 9898
                """);
    }

    /**
     * {@link Bootstrap#gitOps}, tried up to three times: its server-side applies are idempotent, and the first one
     * (the in-memory API server's first GitRepository: its CRD's schema and CEL rules compiled, their classes loaded)
     * can exceed the client's 10 s request timeout on a machine with a load average of ~40, which ended the run.
     */
    private static void bootstrap(LocalInstallation conflux, Bootstrap.Source source) {
        for (int attempt = 1; ; attempt++) {
            try {
                Bootstrap.gitOps(conflux.client(), source);
                return;
            } catch (KubernetesClientException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("bootstrap attempt " + attempt + " failed, trying again: " + e.getMessage());
            }
        }
    }
}
