package io.conflux.cli.local;

import io.conflux.embedded.ServiceLauncher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One replica of a service of a {@link LocalInstallation}: a child JVM started from the module's packaged
 * {@code quarkus-run.jar} by {@link ServiceLauncher}, with what it takes to start it again after a crash — the same
 * configuration, environment, log file (appended to) and HTTP port, so the replica rejoins its service's Kafka
 * consumer groups under the same address.
 *
 * <p>{@link #kill()} is {@code kill -9} of the process and its descendants (no shutdown hook runs, nothing is
 * flushed or committed), as a crashed node would leave things; {@link #start()} launches it again. Thread-safe:
 * starts, kills and closes are serialized; the accessors never wait for a start under way.
 */
public final class ServiceReplica implements AutoCloseable {
    private static final Duration KILL_WAIT = Duration.ofSeconds(30);

    private final String service;
    private final int index;
    private final Path projectRoot;
    private final List<String> jvmOptions;
    private final Map<String, String> config;
    private final Map<String, String> env;
    private final Path logFile;
    private final Duration readyTimeout;
    private volatile ServiceLauncher launcher;
    private volatile int starts;
    private volatile int kills;

    /**
     * A replica not started yet.
     *
     * @param service      module name, e.g. {@code renderer}
     * @param index        replica number, from 0
     * @param projectRoot  the Conflux checkout holding {@code <service>/target/quarkus-app}
     * @param jvmOptions   options of the child JVM (heap size, collector), before its {@code -D} settings
     * @param config       {@code -D} settings of the child (an absent or zero {@code quarkus.http.port} picks a free
     *                     port on the first start, which later starts keep)
     * @param env          extra environment variables of the child
     * @param logFile      stdout and stderr of every start, appended
     * @param readyTimeout how long a start may take until {@code /q/health/ready} answers 200
     */
    ServiceReplica(String service, int index, Path projectRoot, List<String> jvmOptions, Map<String, String> config,
                   Map<String, String> env, Path logFile, Duration readyTimeout) {
        this.service = service;
        this.index = index;
        this.projectRoot = projectRoot;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.config = new LinkedHashMap<>(config);
        this.env = Map.copyOf(env);
        this.logFile = logFile;
        this.readyTimeout = readyTimeout;
    }

    /** @return the module name, e.g. {@code renderer} */
    public String service() {
        return service;
    }

    /** @return the replica number, from 0 */
    public int index() {
        return index;
    }

    /** @return {@code <service>#<index>}, e.g. {@code renderer#2} */
    public String name() {
        return service + "#" + index;
    }

    /**
     * Starts the replica and waits until it is ready; does nothing when it runs.
     *
     * @throws IllegalStateException when it exits before it is ready or is not ready in time (see
     *                               {@link ServiceLauncher#start(Path, String, List, Map, Map, Path, Duration)})
     */
    public synchronized void start() {
        if (launcher != null && launcher.isAlive()) {
            return;
        }
        if (launcher != null) {
            launcher.close();
        }
        ServiceLauncher started = ServiceLauncher.start(projectRoot, service, jvmOptions, config, env, logFile,
                readyTimeout);
        config.put("quarkus.http.port", Integer.toString(started.httpPort()));
        launcher = started;
        starts++;
    }

    /**
     * {@code kill -9} of the replica's process and its descendants ({@link ProcessHandle#destroyForcibly()}), then
     * waits (up to 30 s) until the process is gone. Does nothing when it is not running.
     *
     * @return whether a running process was killed
     * @throws IllegalStateException when the process is still there after 30 s
     */
    public synchronized boolean kill() {
        if (launcher == null || !launcher.isAlive()) {
            return false;
        }
        ProcessHandle process = ProcessHandle.of(launcher.pid()).orElse(null);
        if (process == null) {
            return false;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(name() + " (pid " + process.pid() + ") still running " + KILL_WAIT
                + " after SIGKILL", e);
        }
        kills++;
        return true;
    }

    /** @return whether the replica's process runs (false while a start is under way); does not wait for one */
    public boolean isAlive() {
        ServiceLauncher current = launcher;
        return current != null && current.isAlive();
    }

    /**
     * @return the current process's launcher (HTTP port, pid, log)
     * @throws IllegalStateException before the first start
     */
    public ServiceLauncher launcher() {
        ServiceLauncher current = launcher;
        if (current == null) {
            throw new IllegalStateException(name() + " was never started");
        }
        return current;
    }

    /** @return how many times the replica was started (the first start included) */
    public int starts() {
        return starts;
    }

    /** @return how many running processes {@link #kill()} killed */
    public int kills() {
        return kills;
    }

    /** Stops the process as {@link ServiceLauncher#close()} does (SIGTERM, then SIGKILL after 10 s). Idempotent. */
    @Override
    public synchronized void close() {
        if (launcher != null) {
            launcher.close();
        }
    }

    @Override
    public String toString() {
        return name() + (launcher == null ? " (not started)" : " (port " + launcher.httpPort() + ", pid "
            + launcher.pid() + (launcher.isAlive() ? ")" : ", exited)"));
    }

}
