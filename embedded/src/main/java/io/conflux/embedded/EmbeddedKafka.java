package io.conflux.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import kafka.server.Server;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

/**
 * A real single-node Apache Kafka 4.2 broker in KRaft mode (combined broker + controller, node id 1) running
 * inside this JVM, listening on plain-text loopback ports. Topics are auto-created on first use.
 *
 * <p>The data directory holds {@code server.properties} and the log directory {@code logs/}; it is formatted on
 * first start like {@code kafka-storage format --standalone} and reused (same cluster id, same ports if still free)
 * by later starts. While a broker runs, Kafka's {@code Exit} procedures are replaced so that a fatal Kafka error
 * throws instead of terminating the JVM.
 *
 * <p>{@link #stop()} and {@link #startAgain()} restart the broker as an operator would (a clean shutdown, then a
 * new broker process on the same data directory, ports and cluster id), so that clients configured with
 * {@link #bootstrapServers()} reconnect to it; fault-injection tests use them.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Default number of partitions of auto-created topics. */
    public static final int DEFAULT_PARTITIONS = 3;

    /**
     * The log cleaner's deduplication buffer, {@code log.cleaner.dedupe.buffer.size}: 2 MiB instead of Kafka's 128 MiB.
     * Kafka's cleaner thread allocates it on the heap when the broker starts ({@code SkimpyOffsetMap}, one per
     * {@code log.cleaner.threads}) whether or not a compacted topic ever needs cleaning, so the default held 128 MiB of
     * this JVM's heap. It maps a key's hash (24 bytes an entry, at most 90% full) to its last offset while one pass
     * cleans a partition: 2 MiB holds ~78,000 distinct keys, far more than the compacted topics here have
     * ({@code __consumer_offsets}: a key per consumer group and partition; {@code conflux dlq}'s replay markers).
     * Kafka refuses less than 1 MiB per cleaner thread. Figures: bench/README.md, "The host JVM and PostgreSQL".
     */
    public static final long LOG_CLEANER_DEDUPE_BUFFER_BYTES = 2L * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(EmbeddedKafka.class);
    private static final List<java.util.logging.Logger> QUIET = List.of(
        java.util.logging.Logger.getLogger("kafka"),
        java.util.logging.Logger.getLogger("org.apache.kafka"),
        java.util.logging.Logger.getLogger("state.change.logger"));

    private final Properties serverProps;
    private final String bootstrapServers;
    private Server server;
    private boolean running;
    private boolean closed;

    private EmbeddedKafka(Server server, Properties serverProps, String bootstrapServers) {
        this.server = server;
        this.serverProps = serverProps;
        this.bootstrapServers = bootstrapServers;
        this.running = true;
    }

    /**
     * Starts a broker with {@value #DEFAULT_PARTITIONS} partitions per auto-created topic.
     *
     * @see #start(Path, int)
     */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, DEFAULT_PARTITIONS);
    }

    /**
     * Formats {@code dataDir} if needed, starts the broker and waits (up to 60 s) until it answers a cluster
     * description request.
     *
     * @param dataDir    directory for configuration and logs; created if missing
     * @param partitions partition count of auto-created topics ({@code num.partitions}), at least 1
     * @return the running broker; close it to shut it down
     * @throws IllegalStateException if formatting fails or the broker does not become ready
     * @throws UncheckedIOException  if the data directory cannot be written
     */
    public static EmbeddedKafka start(Path dataDir, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
        }
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        Path dir = dataDir.toAbsolutePath();
        Path configFile = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            Properties previous = new Properties();
            if (Files.exists(configFile)) {
                try (InputStream in = Files.newInputStream(configFile)) {
                    previous.load(in);
                }
            }
            int brokerPort = reusePort(previous.getProperty("conflux.broker.port"), -1);
            // two calls for a free port may return the same one (the OS hands a released port out again)
            int controllerPort = reusePort(previous.getProperty("conflux.controller.port"), brokerPort);
            Properties props = config(dir, brokerPort, controllerPort, partitions);
            String clusterId = previous.getProperty("conflux.cluster.id", Uuid.randomUuid().toString());
            props.setProperty("conflux.cluster.id", clusterId);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "written by Conflux EmbeddedKafka");
            }
            format(configFile, clusterId);
            installExitProcedures();
            props.keySet().removeIf(k -> k.toString().startsWith("conflux."));
            Server server = newRaftServer(props);
            server.startup();
            String bootstrap = "127.0.0.1:" + brokerPort;
            EmbeddedKafka kafka = new EmbeddedKafka(server, props, bootstrap);
            try {
                awaitReady(bootstrap);
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            LOG.debugf("Kafka broker ready on %s (data %s)", bootstrap, dir);
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka data directory " + dir, e);
        }
    }

    /** @return {@code 127.0.0.1:PORT}, the value for {@code bootstrap.servers} */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return whether the broker is running (started and neither stopped nor closed since) */
    public synchronized boolean isRunning() {
        return running;
    }

    /**
     * Shuts the broker down cleanly (controlled shutdown) and waits for it to stop, keeping its data directory and
     * ports for {@link #startAgain()}. Clients see the broker unreachable until then. Idempotent.
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    /**
     * Starts a stopped broker again with the same configuration — data directory (so topics, records and committed
     * offsets are kept), cluster id and listener ports — and waits (up to 60 s) until it answers a cluster
     * description request. Does nothing when the broker runs.
     *
     * @throws IllegalStateException if the broker was closed, a port is taken meanwhile (the message names it) or the
     *                               broker does not become ready
     */
    public synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("Kafka on " + bootstrapServers + " was closed; start a new one instead");
        }
        if (running) {
            return;
        }
        installExitProcedures();
        Server restarted = newRaftServer(serverProps);
        try {
            restarted.startup();
        } catch (RuntimeException e) {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
            throw new IllegalStateException("Kafka could not start again on " + bootstrapServers + " (listeners "
                + serverProps.getProperty("listeners") + "): " + e.getMessage(), e);
        }
        server = restarted;
        running = true;
        awaitReady(bootstrapServers);
        LOG.debugf("Kafka broker running again on %s", bootstrapServers);
    }

    /** Shuts the broker down and waits for it to stop; it cannot be started again. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
    }

    private static Properties config(Path dir, int brokerPort, int controllerPort, int partitions) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("log.dirs", dir.resolve("logs").toString());
        p.setProperty("num.partitions", Integer.toString(partitions));
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "5");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.cleaner.dedupe.buffer.size", Long.toString(LOG_CLEANER_DEDUPE_BUFFER_BYTES));
        // A restarted single node waits for its previous incarnation's session to expire (measured: start again took
        // 3.3 s with a 2 s session, 12.2 s with Kafka's default 9 s). But a session shorter than the controller's worst
        // stall fences the live broker and takes every partition offline: on a loaded 2-core machine (load 15) one
        // heartbeat took 2.5 s to process and the 2 s session fenced the broker mid-run. 6 s tolerates such a stall for
        // a restart ~4 s longer.
        p.setProperty("broker.heartbeat.interval.ms", "500");
        p.setProperty("broker.session.timeout.ms", "6000");
        p.setProperty("conflux.broker.port", Integer.toString(brokerPort));
        p.setProperty("conflux.controller.port", Integer.toString(controllerPort));
        return p;
    }

    /**
     * {@code new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM)}, called reflectively: KafkaConfig's
     * superclass lives in {@code kafka-server}, a runtime-only dependency of {@code kafka_2.13}, so referring to it
     * statically would need a version pin that drifts from the BOM's Kafka version.
     */
    private static Server newRaftServer(Properties props) {
        try {
            Class<?> configClass = Class.forName("kafka.server.KafkaConfig");
            Object config = configClass.getMethod("fromProps", Properties.class, boolean.class)
                .invoke(null, props, false);
            return (Server) Class.forName("kafka.server.KafkaRaftServer").getConstructor(configClass, Time.class)
                .newInstance(config, Time.SYSTEM);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException("invalid Kafka configuration: " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Kafka server classes not found; is org.apache.kafka:kafka_2.13 on the "
                + "class path?", e);
        }
    }

    /** The previous port when it is free again, else a free port; never {@code other}. */
    private static int reusePort(String previous, int other) {
        if (previous != null && Integer.parseInt(previous) != other) {
            int port = Integer.parseInt(previous);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                LOG.debugf("port %d is taken, picking another", port);
            }
        }
        int port = Ports.freePort();
        while (port == other) {
            port = Ports.freePort();
        }
        return port;
    }

    /** Same as {@code kafka-storage format --config F --cluster-id ID --standalone --ignore-formatted}. */
    private static void format(Path configFile, String clusterId) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--config", configFile.toString(), "--cluster-id",
                clusterId, "--standalone", "--ignore-formatted"}, out);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka-storage format failed (" + rc + "): "
                + output.toString(StandardCharsets.UTF_8));
        }
    }

    private static void installExitProcedures() {
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka requested exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka requested halt(" + code + "): " + message);
        });
    }

    private static void awaitReady(String bootstrap) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    if (notYet instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for Kafka", notYet);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka on " + bootstrap + " not ready within 60 s", notYet);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka on " + bootstrap + " not ready within 60 s");
                }
            }
        }
    }
}
