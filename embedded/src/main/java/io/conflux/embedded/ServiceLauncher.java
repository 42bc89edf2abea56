package io.conflux.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs a packaged Quarkus service ({@code <projectRoot>/<module>/target/quarkus-app/quarkus-run.jar}) in a child
 * JVM and waits until its readiness endpoint {@code http://127.0.0.1:<quarkus.http.port>/q/health/ready}
 * answers 200.
 *
 * <p>The child runs {@code java <jvm options>... -D<key>=<value>... -jar quarkus-run.jar} with the java executable of
 * this JVM, plus {@code -XX:SharedArchiveFile=app-cds.jsa} when Quarkus wrote that AppCDS archive next to the jar
 * ({@code quarkus.package.jar.appcds.enabled}; under the JVM's default {@code -Xshare:auto} it runs without an archive
 * that does not match, and a {@code -Xshare} among the JVM options still decides),
 * working directory = the jar's directory (the archive names the jar relative to it), extra environment variables added to
 * this JVM's environment, and stdout + stderr appended to a log file. If the configuration has no
 * {@code quarkus.http.port} (or 0), a free port is chosen and passed. {@link #close()} stops the child and its
 * descendants (SIGTERM, then SIGKILL after 10 s); so does a JVM shutdown hook if the caller never closes.
 */
public final class ServiceLauncher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServiceLauncher.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** The AppCDS archive Quarkus writes beside {@code quarkus-run.jar} when {@code quarkus.package.jar.appcds.enabled}. */
    static final String APP_CDS_ARCHIVE = "app-cds.jsa";

    private final String name;
    private final Process process;
    private final int httpPort;
    private final Path logFile;
    private final Thread shutdownHook;

    private ServiceLauncher(String name, Process process, int httpPort, Path logFile) {
        this.name = name;
        this.process = process;
        this.httpPort = httpPort;
        this.logFile = logFile;
        this.shutdownHook = new Thread(this::stop, "stop-" + name);
    }

    /**
     * @return {@code <projectRoot>/<module>/target/quarkus-app/quarkus-run.jar}
     */
    public static Path quarkusRunJar(Path projectRoot, String module) {
        return projectRoot.resolve(module).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    }

    /**
     * Starts {@code module}'s packaged service; see {@link #start(Path, Map, Map, Path, Duration)}.
     *
     * @param projectRoot the Maven project root (contains the module directories)
     * @param module      module directory name, e.g. {@code renderer}
     */
    public static ServiceLauncher start(Path projectRoot, String module, Map<String, String> config,
                                        Map<String, String> env, Path logFile, Duration readyTimeout) {
        return start(quarkusRunJar(projectRoot, module), List.of(), config, env, logFile, readyTimeout);
    }

    /**
     * Starts {@code module}'s packaged service with JVM options; see {@link #start(Path, List, Map, Map, Path, Duration)}.
     *
     * @param projectRoot the Maven project root (contains the module directories)
     * @param module      module directory name, e.g. {@code renderer}
     */
    public static ServiceLauncher start(Path projectRoot, String module, List<String> jvmOptions,
                                        Map<String, String> config, Map<String, String> env, Path logFile,
                                        Duration readyTimeout) {
        return start(quarkusRunJar(projectRoot, module), jvmOptions, config, env, logFile, readyTimeout);
    }

    /** Starts {@code java -jar jar} without JVM options; see {@link #start(Path, List, Map, Map, Path, Duration)}. */
    public static ServiceLauncher start(Path jar, Map<String, String> config, Map<String, String> env, Path logFile,
                                        Duration readyTimeout) {
        return start(jar, List.of(), config, env, logFile, readyTimeout);
    }

    /**
     * Starts {@code java -jar jar} and waits until it is ready.
     *
     * @param jar          the runnable jar ({@code quarkus-run.jar})
     * @param jvmOptions   options for the child JVM, e.g. {@code -Xmx256m}, placed before the {@code -D} settings
     * @param config       configuration passed as {@code -Dkey=value} system properties (keys and values as-is,
     *                     no shell quoting needed)
     * @param env          extra environment variables for the child, e.g. {@code KUBECONFIG}
     * @param logFile      file receiving the child's stdout and stderr (appended; parent dirs created)
     * @param readyTimeout how long to wait for {@code /q/health/ready} to answer 200
     * @return the running service; close it to stop it
     * @throws IllegalArgumentException if {@code jar} does not exist
     * @throws IllegalStateException    if the child exits before it is ready or is not ready in time (the child
     *                                  is then stopped); the message includes the tail of the log
     * @throws UncheckedIOException     if the process cannot be started or the log not created
     */
    public static ServiceLauncher start(Path jar, List<String> jvmOptions, Map<String, String> config,
                                        Map<String, String> env, Path logFile, Duration readyTimeout) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("service jar not found: " + jar.toAbsolutePath()
                + " (build the module with mvn package first)");
        }
        Map<String, String> props = new LinkedHashMap<>(config);
        String portValue = props.get("quarkus.http.port");
        if (portValue == null || portValue.isBlank() || portValue.trim().equals("0")) {
            portValue = Integer.toString(Ports.freePort());
            props.put("quarkus.http.port", portValue);
        }
        int port = Integer.parseInt(portValue.trim());
        Path jarDir = jar.toAbsolutePath().getParent();
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        if (Files.isRegularFile(jarDir.resolve(APP_CDS_ARCHIVE))) {
            // the archive holds the class path as Quarkus' build ran it: quarkus-run.jar, relative to quarkus-app
            command.add("-XX:SharedArchiveFile=" + APP_CDS_ARCHIVE);
        }
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.getFileName().toString());
        Path moduleDir = jarDir;
        for (int i = 0; i < 2 && moduleDir.getParent() != null; i++) {
            moduleDir = moduleDir.getParent();
        }
        String name = moduleDir.getFileName() == null ? jar.toString() : moduleDir.getFileName().toString();
        ServiceLauncher launcher = new ServiceLauncher(name, spawn(command, jarDir, env, logFile), port, logFile);
        Runtime.getRuntime().addShutdownHook(launcher.shutdownHook);
        try {
            launcher.awaitReady(List.of(port), readyTimeout);
        } catch (RuntimeException e) {
            launcher.close();
            throw e;
        }
        LOG.debugf("%s ready on port %d (pid %d)", name, port, launcher.process.pid());
        return launcher;
    }

    private static Process spawn(List<String> command, Path workingDir, Map<String, String> env, Path logFile) {
        try {
            Path parent = logFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(command.size() - 1) + " in " + workingDir, e);
        }
    }

    /**
     * Starts {@code java <jvmOptions> -D<key>=<value>... -cp <classPath> <mainClass> <arguments>} (several services in
     * one JVM, e.g. {@code conflux up}'s one-JVM mode) and waits until {@code /q/health/ready} answers 200 on every
     * port of {@code readyPorts}, one deadline for all. Output, environment, stopping and the shutdown hook are as for
     * {@link #start(Path, List, Map, Map, Path, Duration)}; the working directory is {@code workingDir}.
     *
     * @param name       name of the process in messages, e.g. {@code services}
     * @param classPath  the child's class path entries (absolute or relative to {@code workingDir})
     * @param readyPorts the HTTP ports (127.0.0.1) whose readiness to await, at least one; the first is
     *                   {@link #httpPort()}, {@link #atPort(int)} gives launchers of the others
     * @return the running process; close it to stop it
     * @throws IllegalArgumentException if {@code readyPorts} is empty
     * @throws IllegalStateException    as {@link #start(Path, List, Map, Map, Path, Duration)}
     * @throws UncheckedIOException     if the process cannot be started or the log not created
     */
    public static ServiceLauncher startMain(String name, List<Path> classPath, String mainClass, List<String> arguments,
                                            List<String> jvmOptions, Map<String, String> systemProperties,
                                            Map<String, String> env, Path workingDir, Path logFile,
                                            List<Integer> readyPorts, Duration readyTimeout) {
        if (readyPorts.isEmpty()) {
            throw new IllegalArgumentException("no port to await for " + name);
        }
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList()));
        command.add(mainClass);
        command.addAll(arguments);
        ServiceLauncher launcher = new ServiceLauncher(name, spawn(command, workingDir, env, logFile),
            readyPorts.get(0), logFile);
        Runtime.getRuntime().addShutdownHook(launcher.shutdownHook);
        try {
            launcher.awaitReady(readyPorts, readyTimeout);
        } catch (RuntimeException e) {
            launcher.close();
            throw e;
        }
        LOG.debugf("%s ready on ports %s (pid %d)", name, readyPorts, launcher.process.pid());
        return launcher;
    }

    /**
     * @return a launcher of the same process answering on another port (a second service of a JVM started by
     *         {@link #startMain}); closing either stops the process
     */
    public ServiceLauncher atPort(int port) {
        return new ServiceLauncher(name, process, port, logFile);
    }

    /** @return the child's HTTP port ({@code quarkus.http.port}) on 127.0.0.1 */
    public int httpPort() {
        return httpPort;
    }

    /** @return {@code http://127.0.0.1:<httpPort>} */
    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    /** @return whether the child is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the log file receiving the child's output */
    public Path logFile() {
        return logFile;
    }

    /**
     * Stops the child and its descendants: SIGTERM, then SIGKILL after 10 s. Idempotent. A JVM shutdown hook does
     * the same if the caller never closes.
     */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or will run
        }
        stop();
    }

    private void stop() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (Exception stillRunning) {
                if (stillRunning instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                h.destroyForcibly();
            }
        }
    }

    private void awaitReady(List<Integer> ports, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : ports) {
            awaitReady(port, deadline, timeout);
        }
    }

    private void awaitReady(int port, long deadline, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                    + " before it was ready; log " + logFile + ":\n" + Commands.tail(logFile, 60));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
                lastStatus = r.statusCode();
                if (lastStatus == 200) {
                    return;
                }
            } catch (IOException notListening) {
                LOG.tracef("%s not listening yet: %s", name, notListening);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
        throw new IllegalStateException(name + " not ready within " + timeout + " (last status of " + ready + ": "
            + lastStatus + "); log " + logFile + ":\n" + Commands.tail(logFile, 60));
    }

    static String javaExecutable() {
        return ProcessHandle.current().info().command()
            .filter(c -> Files.isExecutable(Path.of(c)))
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
