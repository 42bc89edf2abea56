package io.conflux.cli.local;

import io.conflux.cli.dlq.KafkaAccess;
import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.EmbeddedPostgres;
import io.conflux.cli.install.ChartRbacProcess;
import io.conflux.cli.install.ConfluxChart;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.Ports;
import io.conflux.embedded.WorkloadController;
import io.conflux.embedded.ServiceLauncher;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * Conflux on one machine, as {@code conflux up} and the end-to-end tests run it: a real single-node Kafka (KRaft),
 * a real PostgreSQL, the management cluster (fabric8's in-memory API server with Flux's CRDs, unless a kubeconfig
 * is given), and the four services, each its own JVM started from its packaged {@code quarkus-run.jar}, or all four
 * in one JVM ({@link Options#oneJvm()}, what {@code conflux up} runs by default).
 * The webhook-receiver's control API ({@code /api/*}) gets a random bearer token, written to
 * {@code <workDir>/control-token} (owner read/write only) and named by {@code conflux.receiver.control-token-file};
 * callers send it as {@code Authorization: Bearer} ({@link #controlToken()}). Kafka's bootstrap servers are written to
 * {@code <workDir>/kafka-bootstrap-servers} ({@code host:port}), where {@code conflux dlq} finds them.
 * Closing stops everything in reverse order.
 *
 * <p>Each service may run as several replicas ({@link Options#replicas()}): processes of the same module with the
 * same configuration (so the same Kafka consumer groups), each on its own HTTP port, log file
 * ({@code logs/<service>.log} for replica 0, {@code logs/<service>-<i>.log} for replica i) and, for the renderer, its
 * own mirrors directory; {@link #replicas(String)} gives them for a {@code kill -9} and a start again, and
 * {@link #kafka()} and {@link #postgres()} can be stopped and started again, which is what the fault-injection suite
 * does.
 */
public final class LocalInstallation implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalInstallation.class);
    /** The services, in start order. */
    public static final List<String> SERVICES = List.of("webhook-receiver", "renderer", "applier", "notifier");

    /** The namespace of the services' ServiceAccounts and Leases, and of the bootstrap objects. */
    static final String FLUX_SYSTEM = "flux-system";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, List<ServiceReplica>> services = new LinkedHashMap<>();
    /** With {@link Options#oneJvm()}: per service, a launcher of the one JVM answering on the service's port. */
    private final Map<String, ServiceLauncher> oneJvm = new LinkedHashMap<>();
    private KubernetesClient client;
    private Path kubeconfig;
    /** Per service, the kubeconfig of its ServiceAccount (in-memory cluster only; else every service uses {@link #kubeconfig}). */
    private final Map<String, Path> serviceKubeconfigs = new LinkedHashMap<>();
    private String controlToken;
    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;
    private Duration servicesStartTime = Duration.ZERO;
    private Duration servicesStartCpuTime = Duration.ZERO;

    /**
     * What to start.
     *
     * @param projectRoot   the Conflux checkout (holds the modules' {@code target/} and {@code deploy/crds})
     * @param workDir       where data, logs and the kubeconfig go
     * @param urlRewrites   git insteadOf rewrites for the receiver and renderer
     * @param kubeconfig    an existing management cluster, or null for the in-memory one
     * @param ports         HTTP port per service module name; a service not in the map gets any free port
     * @param readyTimeout  how long each service may take to become ready
     * @param rolloutTime   with the in-memory cluster: how long its {@link WorkloadController} takes to turn a
     *                      workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job) or CRD healthy after a
     *                      create or spec change; ignored with a real cluster
     * @param replicas      processes per service, at least 1; {@code ports} applies to replica 0, the others get
     *                      free ports
     * @param partitions    partition count of the topics Kafka auto-creates (the services' topics), at least 1
     * @param serviceProperties configuration keys passed to every replica of every service (as {@code -D} system
     *                      properties, after the connection keys, which they may override), e.g. the
     *                      {@code quarkus.otel.*} keys that turn trace export on; empty by default
     * @param jvmOptions    options of every service JVM (heap, collector), {@link #DEFAULT_JVM_OPTIONS} by default;
     *                      in one JVM, of that JVM ({@link #ONE_JVM_OPTIONS} is sized for it)
     * @param oneJvm        the four services in one JVM ({@link ServicesJvm}: each packaged application in its own
     *                      class loader, the same Kafka topics, one log {@code logs/services.log}) instead of one JVM
     *                      each; needs {@code replicas} 1, and {@link #replicas(String)} (kill and restart of one
     *                      service) is only for separate JVMs, which is why the fault tests keep them. False by
     *                      default here; {@code conflux up} sets it unless {@code --separate-jvms}
     */
    public record Options(Path projectRoot, Path workDir, Map<String, String> urlRewrites, Path kubeconfig,
                          Map<String, Integer> ports, Duration readyTimeout, Duration rolloutTime, int replicas,
                          int partitions, Map<String, String> serviceProperties, List<String> jvmOptions,
                          boolean oneJvm) {
        /** Checks the counts. */
        public Options {
            if (replicas < 1) {
                throw new IllegalArgumentException("replicas must be >= 1: " + replicas);
            }
            if (oneJvm && replicas != 1) {
                throw new IllegalArgumentException("one JVM runs one replica of each service, not " + replicas
                    + ": use separate JVMs for replicas");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
            }
            serviceProperties = Map.copyOf(serviceProperties);
            jvmOptions = List.copyOf(jvmOptions);
        }

        /** Options with separate service JVMs. */
        public Options(Path projectRoot, Path workDir, Map<String, String> urlRewrites, Path kubeconfig,
                       Map<String, Integer> ports, Duration readyTimeout, Duration rolloutTime, int replicas,
                       int partitions, Map<String, String> serviceProperties, List<String> jvmOptions) {
            this(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime, replicas, partitions,
                serviceProperties, jvmOptions, false);
        }

        /** Options with the {@link #DEFAULT_JVM_OPTIONS}. */
        public Options(Path projectRoot, Path workDir, Map<String, String> urlRewrites, Path kubeconfig,
                       Map<String, Integer> ports, Duration readyTimeout, Duration rolloutTime, int replicas,
                       int partitions, Map<String, String> serviceProperties) {
            this(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime, replicas, partitions,
                serviceProperties, DEFAULT_JVM_OPTIONS);
        }

        /** Options without extra service properties. */
        public Options(Path projectRoot, Path workDir, Map<String, String> urlRewrites, Path kubeconfig,
                       Map<String, Integer> ports, Duration readyTimeout, Duration rolloutTime, int replicas,
                       int partitions) {
            this(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime, replicas, partitions,
                Map.of());
        }

        /** Options with one replica per service and {@link EmbeddedKafka#DEFAULT_PARTITIONS} partitions. */
        public Options(Path projectRoot, Path workDir, Map<String, String> urlRewrites, Path kubeconfig,
                       Map<String, Integer> ports, Duration readyTimeout, Duration rolloutTime) {
            this(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime, 1,
                EmbeddedKafka.DEFAULT_PARTITIONS);
        }

        /** Options whose in-memory cluster turns workloads healthy at once ({@code rolloutTime} zero). */
        public Options(Path projectRoot, Path workDir, Map<String, String> urlRewrites, Path kubeconfig,
                       Map<String, Integer> ports, Duration readyTimeout) {
            this(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, Duration.ZERO);
        }

        /** @return a copy with {@code replicas} processes per service over topics of {@code partitions} partitions */
        public Options withReplicas(int replicas, int partitions) {
            return new Options(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime,
                replicas, partitions, serviceProperties, jvmOptions, oneJvm);
        }

        /** @return a copy passing {@code properties} to every service (see {@link #serviceProperties()}) */
        public Options withServiceProperties(Map<String, String> properties) {
            return new Options(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime,
                replicas, partitions, properties, jvmOptions, oneJvm);
        }

        /** @return a copy starting every service JVM with {@code options} instead (see {@link #jvmOptions()}) */
        public Options withJvmOptions(List<String> options) {
            return new Options(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime,
                replicas, partitions, serviceProperties, options, oneJvm);
        }

        /**
         * @return a copy running the four services in one JVM ({@code true}) or each in its own (see
         *         {@link #oneJvm()}); the JVM options are kept, so set them after
         */
        public Options withOneJvm(boolean one) {
            return new Options(projectRoot, workDir, urlRewrites, kubeconfig, ports, readyTimeout, rolloutTime,
                replicas, partitions, serviceProperties, jvmOptions, one);
        }
    }

    /**
     * The service JVMs' options unless {@link Options#jvmOptions()} says otherwise: sized for one machine running all
     * four services beside Kafka and PostgreSQL, where the JVM's own defaults (a heap of a quarter of the machine's
     * memory per JVM, G1, both JIT compilers) multiply by four. The serial collector with a small, quickly returned
     * heap suits a service with little live data; the C1 compiler alone ({@code TieredStopAtLevel=1}) spares the CPU
     * and memory C2 takes while four JVMs warm up on a few cores; one Netty arena each instead of two per core;
     * {@code -XX:+ExitOnOutOfMemoryError} makes a heap too small show as a crashed replica with the error in its log,
     * not as a JVM that limps on. Figures: bench/README.md, "Footprint and start-up".
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx256m",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-Xss512k", "-XX:ReservedCodeCacheSize=48m",
            "-XX:TieredStopAtLevel=1", "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1",
            "-XX:+ExitOnOutOfMemoryError");

    /**
     * The options of the one services JVM ({@link Options#oneJvm()}): those of {@link #DEFAULT_JVM_OPTIONS} with room
     * for four services' heaps and compiled code in one JVM, and more:
     * <ul>
     * <li>{@code -Xms128m -Xmn32m}: a young generation of 32 MiB and an initial old one of 96 MiB. Without them the
     *     initial heap is 1/64 of the machine's memory (376 MiB on 23 GiB) and its young third (~120 MiB) is all
     *     touched by allocation from the start, while the services' live data stays near 110 MiB. The serial
     *     collector touches all of the young generation between two collections, so its size is resident for good:
     *     at 1,000 Kustomizations 32 MiB instead of 64 MiB took 32–43 MiB off the services' peak, for twice the
     *     (short) young collections: ~2% more of the services JVM's CPU. An old generation of 32 MiB at first
     *     ({@code -Xms64m}) grew by full collections, six of 70–250 ms in each start while the live data rose to
     *     ~75 MiB, and more during the first pushes; 96 MiB holds it from the start for ~10 MiB more at 1,000
     *     Kustomizations (bench/README.md, "The first push after a start");</li>
     * <li>{@code -XX:TrimNativeHeapInterval=5000}: every 5 s the JVM hands glibc's freed malloc memory (class
     *     loading's and the compiler's temporary buffers, the four services' native buffers) back to the system;</li>
     * <li>{@code -XX:MetaspaceSize=256m}: the class-metadata mark whose crossing starts a full collection, the JVM's
     *     own ~21 MiB otherwise: the four applications' start crossed it three times (three full collections of
     *     30–40 ms that can unload no class), and the metadata then stays where the classes put it;</li>
     * <li>{@code -XX:MaxMetaspaceSize=512m}: a safety cap, about twice the ~235 MiB of class metadata the four
     *     applications load; a leak of class loaders then ends the JVM ({@code ExitOnOutOfMemoryError}) instead of
     *     growing it without bound;</li>
     * <li>{@code -XX:-BytecodeVerificationRemote} (a diagnostic flag, hence {@code -XX:+UnlockDiagnosticVMOptions}):
     *     the ~70,000 classes the four applications' class loaders define are not verified, which took a third of the
     *     start-up's CPU. They are this build's own jars and its Maven dependencies, the same bytes the separate JVMs
     *     and a cluster installation (which keep verification) run; a class file the build broke would then fail
     *     less clearly than with a {@code VerifyError}.</li>
     * </ul>
     * Figures: bench/README.md, "Footprint and start-up".
     */
    public static final List<String> ONE_JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms128m", "-Xmn32m", "-Xmx640m",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-Xss512k", "-XX:ReservedCodeCacheSize=96m",
            "-XX:MetaspaceSize=256m", "-XX:MaxMetaspaceSize=512m", "-XX:TrimNativeHeapInterval=5000",
            "-XX:TieredStopAtLevel=1", "-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1",
            "-XX:+ExitOnOutOfMemoryError", "-XX:+UnlockDiagnosticVMOptions", "-XX:-BytecodeVerificationRemote");

    /**
     * glibc's {@code MALLOC_ARENA_MAX} for every service JVM: its own value when this JVM's environment sets it (the
     * {@code conflux} script and bench/ set 2 for the host JVM too), else 2. glibc otherwise gives a process up to
     * eight malloc arenas per core, each holding freed memory of its own, which a JVM of ~140 threads (four services'
     * Vert.x, Kafka and Netty threads) spreads its native allocations over. Figures: bench/README.md, "Footprint and
     * start-up".
     */
    public static final String MALLOC_ARENA_MAX = System.getenv().getOrDefault("MALLOC_ARENA_MAX", "2");

    /**
     * Each service's PostgreSQL pools in one JVM ({@link Options#oneJvm()}), unless {@link Options#serviceProperties()}
     * sets the keys: PostgreSQL runs a backend process per connection (~2 MiB of its own memory each, more once it
     * has touched many catalog entries), and the four services' default pools kept ~55 of them open in a run of 1,000
     * Kustomizations (bench/README.md, "The host JVM and PostgreSQL"):
     * <ul>
     * <li>{@code quarkus.datasource.reactive.max-size=5} (Quarkus' default 20): Hibernate Reactive's and the outbox's
     *     connections, one of them held by the outbox relay's {@code LISTEN}. The four services share two cores with
     *     Kafka, the API server and PostgreSQL itself, so more concurrent statements only queue in PostgreSQL;</li>
     * <li>{@code quarkus.datasource.jdbc.idle-removal-interval=10S} (Agroal's reap timeout, Quarkus' default 5M):
     *     the JDBC pool serves only Flyway's migrations at start, whose connections then sat idle for five
     *     minutes.</li>
     * </ul>
     * A cluster installation keeps Quarkus' defaults (a service per pod, PostgreSQL sized by its operator).
     */
    public static final Map<String, String> ONE_JVM_DATASOURCE_POOLS = Map.of(
            "quarkus.datasource.reactive.max-size", "5",
            "quarkus.datasource.jdbc.idle-removal-interval", "10S");

    /** How long the child JVM rendering the chart's RBAC ({@link ChartRbacProcess}) may take. */
    static final Duration RBAC_RENDER_TIMEOUT = Duration.ofMinutes(2);

    /** The services' default HTTP ports, as their {@code application.properties} set them. */
    public static final Map<String, Integer> DEFAULT_PORTS = Map.of("webhook-receiver", 9292, "renderer", 9293,
            "applier", 9294, "notifier", 9295);

    private LocalInstallation() {
    }

    /**
     * Starts everything; on failure whatever was started is stopped again.
     *
     * @throws IllegalStateException when a part cannot start (the message says which, with its log tail)
     */
    public static LocalInstallation start(Options options) {
        LocalInstallation installation = new LocalInstallation();
        try {
            installation.startAll(options);
            return installation;
        } catch (RuntimeException e) {
            installation.close();
            throw e;
        }
    }

    private void startAll(Options o) throws RuntimeException {
        Path work = o.workDir().toAbsolutePath();
        CompletableFuture<EmbeddedPostgres> postgres = CompletableFuture.supplyAsync(() -> EmbeddedPostgres.start(work.resolve("postgres")));
        // the chart's RBAC for the in-memory cluster, rendered in a child JVM while Kafka starts: Helm's Go library
        // would otherwise stay loaded in this JVM for as long as the installation runs
        ChartRbacProcess rbac = null;
        if (o.kubeconfig() == null) {
            rbac = ChartRbacProcess.start(o.projectRoot(), FLUX_SYSTEM);
            resources.add(rbac);
        }
        EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), o.partitions());
        resources.add(kafka);
        this.kafka = kafka;
        // how `conflux dlq` run in this directory finds this Kafka (a restart keeps the broker's ports)
        writeFile(work.resolve(KafkaAccess.BOOTSTRAP_FILE), kafka.bootstrapServers() + "\n");
        if (o.kubeconfig() == null) {
            InMemoryKubernetes cluster = InMemoryKubernetes.start();
            resources.add(cluster);
            cluster.installCrds(o.projectRoot().resolve("deploy/crds"));
            resources.add(WorkloadController.start(cluster.client(), o.rolloutTime()));
            kubeconfig = cluster.writeKubeconfig(work.resolve("kubeconfig"));
            // each service runs under its chart ServiceAccount with RBAC enforced, as on a cluster: a verb missing
            // from its ClusterRole fails here as it would there
            ServiceAccounts.install(cluster, rbac.objects(RBAC_RENDER_TIMEOUT), FLUX_SYSTEM);
            for (String service : SERVICES) {
                serviceKubeconfigs.put(service, cluster.writeKubeconfig(work.resolve("kubeconfig-" + service),
                        InMemoryKubernetes.serviceAccountToken(FLUX_SYSTEM, ConfluxChart.objectName(service))));
            }
        } else {
            kubeconfig = o.kubeconfig().toAbsolutePath();
        }
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig.toFile())).build();
        resources.add(client);
        if (client.namespaces().withName("flux-system").get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("flux-system").endMetadata().build()).create();
        }
        EmbeddedPostgres pg;
        try {
            pg = postgres.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        resources.add(pg);
        this.postgres = pg;

        Map<String, String> common = new LinkedHashMap<>();
        common.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        common.putAll(pg.quarkusDatasource());
        o.urlRewrites().forEach((prefix, base) -> common.put("conflux.git.url-rewrites.\"" + prefix + "\"", base));
        common.putAll(o.serviceProperties());

        // the renderer stores bundles holding Secrets only encrypted, and the applier opens them: one key per directory
        String bundleKeys = BundleKeyFile.keys(work);

        Path tokenFile = work.resolve("control-token");
        controlToken = writeControlToken(tokenFile);
        if (o.oneJvm()) {
            startOneJvm(o, work, common, tokenFile, bundleKeys);
            return;
        }
        for (String service : SERVICES) {
            List<ServiceReplica> replicas = new ArrayList<>();
            for (int i = 0; i < o.replicas(); i++) {
                Map<String, String> config = new LinkedHashMap<>(common);
                if (i == 0 && o.ports().containsKey(service)) {
                    config.put("quarkus.http.port", Integer.toString(o.ports().get(service)));
                }
                if (service.equals("webhook-receiver")) {
                    config.put("conflux.receiver.control-token-file", tokenFile.toString());
                }
                if (service.equals("renderer")) {
                    // a mirror directory is one process's cache: replicas never share one
                    config.put("conflux.renderer.mirrors-dir", work.resolve(i == 0 ? "mirrors" : "mirrors-" + i).toString());
                }
                Path log = work.resolve("logs").resolve(i == 0 ? service + ".log" : service + "-" + i + ".log");
                // conflux.bundles.encryption-keys, through the environment: a -D would show the key in the process list
                String serviceKubeconfig = serviceKubeconfigs.getOrDefault(service, kubeconfig).toString();
                Map<String, String> serviceEnv = service.equals("renderer") || service.equals("applier")
                        ? Map.of("KUBECONFIG", serviceKubeconfig, "CONFLUX_BUNDLES_ENCRYPTION_KEYS", bundleKeys,
                                "MALLOC_ARENA_MAX", MALLOC_ARENA_MAX)
                        : Map.of("KUBECONFIG", serviceKubeconfig, "MALLOC_ARENA_MAX", MALLOC_ARENA_MAX);
                ServiceReplica replica = new ServiceReplica(service, i, o.projectRoot(), o.jvmOptions(), config,
                        serviceEnv, log, o.readyTimeout());
                replicas.add(replica);
                resources.add(replica);
            }
            services.put(service, List.copyOf(replicas));
        }
        // in waves, replica i of every service at once: N replicas starting together would only compete for the CPU
        long servicesStarting = System.nanoTime();
        for (int wave = 0; wave < o.replicas(); wave++) {
            Map<ServiceReplica, CompletableFuture<Void>> starting = new LinkedHashMap<>();
            for (List<ServiceReplica> replicas : services.values()) {
                ServiceReplica replica = replicas.get(wave);
                starting.put(replica, CompletableFuture.runAsync(replica::start));
            }
            RuntimeException failure = null;
            for (var entry : starting.entrySet()) {
                try {
                    entry.getValue().join();
                    LOG.infof("%s ready on port %d", entry.getKey().name(), entry.getKey().launcher().httpPort());
                } catch (CompletionException e) {
                    failure = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
        servicesStartTime = Duration.ofNanos(System.nanoTime() - servicesStarting);
        // where `conflux check` finds the services' /q/health/ready: "<name> <base url>" per replica
        StringBuilder known = new StringBuilder();
        services.values().forEach(replicas -> replicas.forEach(r -> known.append(r.name()).append(" http://127.0.0.1:")
                .append(r.launcher().httpPort()).append('\n')));
        writeFile(work.resolve("services"), known.toString());
    }

    /**
     * The four services in one JVM ({@link ServicesJvm}): the same configuration as separate JVMs get, each service's
     * in its own file, where the environment variables of separate JVMs become keys ({@code conflux.kubeconfig} for
     * the service's ServiceAccount kubeconfig, {@code conflux.bundles.encryption-keys}).
     */
    private void startOneJvm(Options o, Path work, Map<String, String> common, Path tokenFile, String bundleKeys) {
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        for (String service : SERVICES) {
            Map<String, String> config = new LinkedHashMap<>(ONE_JVM_DATASOURCE_POOLS);
            config.putAll(common);
            Integer port = o.ports().get(service);
            config.put("quarkus.http.port", Integer.toString(port != null ? port : Ports.freePort()));
            if (service.equals("webhook-receiver")) {
                config.put("conflux.receiver.control-token-file", tokenFile.toString());
            }
            if (service.equals("renderer")) {
                config.put("conflux.renderer.mirrors-dir", work.resolve("mirrors").toString());
            }
            if (service.equals("renderer") || service.equals("applier")) {
                config.put("conflux.bundles.encryption-keys", bundleKeys);
            }
            config.put("conflux.kubeconfig", serviceKubeconfigs.getOrDefault(service, kubeconfig).toString());
            configs.put(service, config);
        }
        long servicesStarting = System.nanoTime();
        // KUBECONFIG for whatever reads the environment first; each service's conflux.kubeconfig overrides it
        ServiceLauncher jvm = ServicesJvm.start(o.projectRoot(), work, configs, o.jvmOptions(),
                Map.of("KUBECONFIG", kubeconfig.toString(), "MALLOC_ARENA_MAX", MALLOC_ARENA_MAX),
                work.resolve("logs").resolve("services.log"),
                o.readyTimeout());
        resources.add(jvm);
        servicesStartTime = Duration.ofNanos(System.nanoTime() - servicesStarting);
        servicesStartCpuTime = ProcessHandle.of(jvm.pid()).flatMap(p -> p.info().totalCpuDuration())
                .orElse(Duration.ZERO);
        LOG.infof("services JVM ready in %.1f s, %.1f CPU s", servicesStartTime.toMillis() / 1e3,
                servicesStartCpuTime.toMillis() / 1e3);
        StringBuilder known = new StringBuilder();
        configs.forEach((service, config) -> {
            ServiceLauncher view = jvm.atPort(Integer.parseInt(config.get("quarkus.http.port")));
            oneJvm.put(service, view);
            LOG.infof("%s ready on port %d (one JVM, pid %d)", service, view.httpPort(), view.pid());
            known.append(service).append("#0 http://127.0.0.1:").append(view.httpPort()).append('\n');
        });
        writeFile(work.resolve("services"), known.toString());
    }

    /**
     * @return how long the services took from the launch of their JVMs until every replica was ready (Kafka,
     *         PostgreSQL and the API server were up before), as {@link #start} measured it
     */
    public Duration servicesStartTime() {
        return servicesStartTime;
    }

    /**
     * @return with {@link Options#oneJvm()}: the CPU time (user + system, all threads) the services JVM had used when
     *         every service was ready, a start-up figure that a loaded machine does not inflate as it does
     *         {@link #servicesStartTime()}; zero with separate JVMs or where the OS does not report it
     */
    public Duration servicesStartCpuTime() {
        return servicesStartCpuTime;
    }

    /**
     * Creates a random control API token (32 random bytes, hex) and writes it to {@code file}, created with permissions
     * {@code rw-------} where the file system has POSIX permissions (so it is never readable by others, not even
     * briefly); an existing file is replaced.
     *
     * @return the token
     * @throws UncheckedIOException when the file cannot be written
     */
    static String writeControlToken(Path file) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        try {
            Files.deleteIfExists(file);
            OwnerOnlyFile.create(file, token + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the control API token " + file, e);
        }
        return token;
    }

    private static void writeFile(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** @return the bearer token of the webhook-receiver's control API ({@code Authorization: Bearer <token>}) */
    public String controlToken() {
        return controlToken;
    }

    /** @return the installation's PostgreSQL (its JDBC URL and credentials) */
    public EmbeddedPostgres postgres() {
        return postgres;
    }

    /** @return a client of the management cluster */
    public KubernetesClient client() {
        return client;
    }

    /** @return the Kafka cluster the services use ({@code host:port}), e.g. for a test that reads the topics */
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** @return the installation's Kafka broker, e.g. to stop and start it again */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** @return the management cluster's kubeconfig file */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * @return a running replica of the service, by module name (e.g. {@code webhook-receiver}): the first one alive,
     *         or replica 0 when none is; in one JVM, that JVM's launcher answering on the service's port (its pid
     *         and log are the JVM's, closing it stops all four)
     * @throws IllegalArgumentException when there is no such service
     */
    public ServiceLauncher service(String name) {
        if (!oneJvm.isEmpty()) {
            ServiceLauncher launcher = oneJvm.get(name);
            if (launcher == null) {
                throw new IllegalArgumentException("no service " + name);
            }
            return launcher;
        }
        List<ServiceReplica> replicas = replicas(name);
        return replicas.stream().filter(ServiceReplica::isAlive).findFirst().orElse(replicas.get(0)).launcher();
    }

    /**
     * @return the service's replicas, by module name, in replica order
     * @throws IllegalArgumentException when there is no such service
     * @throws IllegalStateException    when the services run in one JVM ({@link Options#oneJvm()})
     */
    public List<ServiceReplica> replicas(String name) {
        if (!oneJvm.isEmpty()) {
            throw new IllegalStateException("the services run in one JVM: no replica of " + name
                + " to kill or start alone (Options.oneJvm false gives separate JVMs)");
        }
        List<ServiceReplica> replicas = services.get(name);
        if (replicas == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return replicas;
    }

    /** Stops the services, the API server, Kafka and PostgreSQL, in reverse start order. */
    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warnf("stopping %s: %s", resources.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
        resources.clear();
    }
}
