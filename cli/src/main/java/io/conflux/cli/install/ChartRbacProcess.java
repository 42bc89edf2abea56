package io.conflux.cli.install;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link ConfluxChart#rbac(String)} rendered in a short-lived child JVM on this JVM's class path, for a long-running
 * JVM that needs the chart's RBAC once: the embedded Helm is a Go shared library (helm-java, loaded through JNA) that
 * cannot be unloaded, and once loaded it kept ~50 MiB of its text and ~8 MiB of Go heap resident in {@code conflux up}'s
 * JVM for as long as the installation ran (bench/README.md, "The host JVM and PostgreSQL"). The child prints the
 * objects as one JSON array on its standard output and exits.
 *
 * <p>Closing it kills a child still running and deletes its output files (for a caller that fails before it reads
 * the objects).
 */
public final class ChartRbacProcess implements AutoCloseable {

    /** The child JVM's options: it renders one small chart, so a small heap and the C1 compiler alone. */
    static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process child;
    private final Path stdout;
    private final Path stderr;

    private ChartRbacProcess(Process child, Path stdout, Path stderr) {
        this.child = child;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code java ChartRbacProcess <projectRoot> <namespace>} with this JVM's {@code java.home} and class path,
     * its output going to temporary files; it runs while the caller does other work until {@link #objects(Duration)}.
     *
     * @param projectRoot the Conflux checkout holding {@link ConfluxChart#DIRECTORY}
     * @param namespace   the release namespace
     * @return the running child
     * @throws UncheckedIOException when the child cannot be started
     */
    public static ChartRbacProcess start(Path projectRoot, String namespace) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChartRbacProcess.class.getName());
        command.add(projectRoot.toAbsolutePath().toString());
        command.add(namespace);
        try {
            Path out = Files.createTempFile("conflux-rbac", ".json");
            Path err = Files.createTempFile("conflux-rbac", ".err");
            Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            child.getOutputStream().close();
            return new ChartRbacProcess(child, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the chart's RBAC rendering", e);
        }
    }

    /**
     * Waits for the child and reads what it printed; its temporary files are deleted.
     *
     * @param timeout how long to wait at most
     * @return what {@link ConfluxChart#rbac(String)} returns, as JSON-compatible maps, in install order
     * @throws IllegalStateException when the child failed, with its exit code and standard error (a
     *                               {@link io.conflux.helm.HelmException}'s message when the chart does not render), or
     *                               did not finish within {@code timeout} (it is then killed)
     */
    public List<Map<String, Object>> objects(Duration timeout) {
        try {
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException("rendering the chart's RBAC took longer than " + timeout);
            }
            if (child.exitValue() != 0) {
                throw new IllegalStateException("rendering the chart's RBAC failed (exit " + child.exitValue() + "): "
                        + Files.readString(stderr, StandardCharsets.UTF_8).strip());
            }
            return JSON.readValue(stdout.toFile(), new TypeReference<List<Map<String, Object>>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chart's RBAC rendering", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering the chart's RBAC", e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /** Kills the child if it still runs and deletes its output files. Idempotent. */
    @Override
    public void close() {
        child.destroyForcibly();
        deleteQuietly(stdout);
        deleteQuietly(stderr);
    }

    /**
     * The child's entry point: prints {@code new ConfluxChart(args[0]).rbac(args[1])} as a JSON array on standard
     * output; exit code 1 with the error on standard error when the chart does not render, 2 on wrong arguments.
     *
     * @param args the project root and the release namespace
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ChartRbacProcess <project root> <namespace>");
            System.exit(2);
        }
        List<Map<String, Object>> objects;
        try {
            objects = new ConfluxChart(Path.of(args[0])).rbac(args[1]);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        System.out.write(JSON.writeValueAsBytes(objects));
        System.out.flush();
        // helm-java's Go runtime keeps non-daemon threads of its own: leave without waiting for them
        System.exit(0);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is harmless
        }
    }
}
