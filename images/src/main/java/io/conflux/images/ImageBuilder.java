package io.conflux.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the container images of the four services with Jib's core library (no Docker daemon, no registry needed) and
 * writes each as an OCI image tarball {@code <output>/<service>.tar}, named {@code <repository>-<service>:<tag>}, e.g.
 * {@code ghcr.io/conflux/conflux-applier:0.1.0} (what the chart's {@code image.*} values name). Loadable with
 * {@code docker load}, {@code podman load}, {@code skopeo copy oci-archive:…} or {@code crane push}.
 *
 * <p>Layers, from the least to the most often changed, as Quarkus' own Jib integration lays out a fast-jar: the base,
 * then {@code /deployments/lib/boot} and {@code lib/main} (dependencies), {@code quarkus/} (generated), {@code app/}
 * and {@code quarkus-run.jar}. The container runs as the non-root user 185 (group 185), with working directory
 * {@code /deployments}, entrypoint {@code java -jar /deployments/quarkus-run.jar}, JVM options for a container in
 * {@code JAVA_TOOL_OPTIONS} (heap from the memory limit; the chart sets its own), nothing written outside {@code /tmp}
 * (so a read-only root filesystem works).
 *
 * <p>The base: with {@code --base=<image>} a registry image with a Java 17+ runtime on the {@code PATH}; without one
 * (the default, and the only way without network access to a registry), a minimal base assembled here: a runtime
 * {@code jlink}ed from the build's own JDK into {@code /opt/java}, the shared libraries its binaries load (found with
 * {@code ldd}, copied from the build machine, so build on the architecture you run), and {@code /etc/passwd} and
 * {@code /etc/group} naming user 185. No shell, no package manager.
 *
 * <p>Arguments: {@code --project=<root>} (the checkout, whose {@code <service>/target/quarkus-app} must exist: run
 * {@code package} first — the {@code images} profile does), {@code --output=<dir>}, {@code --repository=<name>},
 * {@code --tag=<tag>}, {@code --base=<image or empty>}.
 */
public final class ImageBuilder {

    /** The services, each one image. */
    public static final List<String> SERVICES = List.of("webhook-receiver", "renderer", "applier", "notifier");

    /** The user and group the containers run as (Quarkus' and UBI's Java images use the same). */
    public static final String USER = "185:185";

    /** The services' HTTP ports, as in their application.properties. */
    static final Map<String, Integer> PORTS = Map.of("webhook-receiver", 9292, "renderer", 9293, "applier", 9294,
            "notifier", 9295);

    private static final AbsoluteUnixPath DEPLOYMENTS = AbsoluteUnixPath.get("/deployments");
    private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");

    private ImageBuilder() {
    }

    /**
     * Builds every image.
     *
     * @param args {@code --name=value} arguments as the class describes
     * @throws Exception when a service is not packaged, {@code jlink}/{@code ldd} fail, or Jib fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Path project = Path.of(required(options, "project")).toAbsolutePath();
        Path output = Files.createDirectories(Path.of(required(options, "output")));
        String repository = required(options, "repository");
        String tag = required(options, "tag");
        String base = options.getOrDefault("base", "").trim();
        Path work = Files.createDirectories(output.resolve("work"));
        BaseLayers baseLayers = base.isEmpty() ? BaseLayers.assemble(work) : null;
        for (String service : SERVICES) {
            Path app = project.resolve(service).resolve("target/quarkus-app");
            if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
                throw new IllegalStateException(app + "/quarkus-run.jar is missing: package " + service + " first");
            }
            String name = repository + "-" + service + ":" + tag;
            Path tar = output.resolve(service + ".tar");
            JibContainerBuilder builder = base.isEmpty() ? baseLayers.onto(Jib.fromScratch()) : Jib.from(base);
            builder.setFormat(ImageFormat.OCI)
                    .addFileEntriesLayer(appLayer("dependencies-boot", app.resolve("lib/boot"), DEPLOYMENTS.resolve("lib/boot")))
                    .addFileEntriesLayer(appLayer("dependencies", app.resolve("lib/main"), DEPLOYMENTS.resolve("lib/main")))
                    .addFileEntriesLayer(appLayer("quarkus", app.resolve("quarkus"), DEPLOYMENTS.resolve("quarkus")))
                    .addFileEntriesLayer(appLayer("application", app.resolve("app"), DEPLOYMENTS.resolve("app")))
                    .addFileEntriesLayer(FileEntriesLayer.builder().setName("runner")
                            .addEntry(app.resolve("quarkus-run.jar"), DEPLOYMENTS.resolve("quarkus-run.jar")).build())
                    .setUser(USER)
                    .setWorkingDirectory(DEPLOYMENTS)
                    .setEntrypoint(List.of(base.isEmpty() ? "/opt/java/bin/java" : "java", "-jar",
                            "/deployments/quarkus-run.jar"))
                    .addEnvironmentVariable("JAVA_TOOL_OPTIONS",
                            "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp")
                    .addEnvironmentVariable("QUARKUS_HTTP_HOST", "0.0.0.0")
                    .addExposedPort(Port.tcp(PORTS.get(service)))
                    .addVolume(AbsoluteUnixPath.get("/tmp"))
                    .addLabel("org.opencontainers.image.title", "conflux-" + service)
                    .addLabel("org.opencontainers.image.version", tag)
                    .addLabel("org.opencontainers.image.description", "Conflux " + service
                            + ": a GitOps control plane that speaks Flux's API");
            builder.containerize(Containerizer.to(TarImage.at(tar).named(ImageReference.parse(name)))
                    .setApplicationLayersCache(work.resolve("cache"))
                    .setBaseImageLayersCache(work.resolve("cache")));
            System.out.println("wrote " + tar + " (" + name + ")");
        }
    }

    private static FileEntriesLayer appLayer(String name, Path from, AbsoluteUnixPath to) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        if (Files.isDirectory(from)) {
            layer.addEntryRecursive(from, to);
        }
        return layer.build();
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + "= is required");
        }
        return value;
    }

    /** The assembled base: a jlinked Java runtime, the shared libraries it loads, and the user's passwd entries. */
    record BaseLayers(Path runtime, List<Path> libraries, Path etc) {

        /** Java modules of the runtime: Java SE plus what Quarkus, Netty, Kafka's client and JGit use. */
        static final String MODULES = "java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,"
                + "jdk.management,jdk.net,jdk.naming.dns,jdk.localedata,jdk.charsets,jdk.httpserver,jdk.jfr";

        static BaseLayers assemble(Path work) throws IOException, InterruptedException {
            Path runtime = work.resolve("jre");
            if (!Files.isRegularFile(runtime.resolve("bin/java"))) {
                Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
                run(List.of(jlink.toString(), "--add-modules", MODULES, "--strip-debug", "--no-man-pages",
                        "--no-header-files", "--compress=2", "--output", runtime.toString()));
            }
            List<Path> binaries = new ArrayList<>();
            binaries.add(runtime.resolve("bin/java"));
            try (var files = Files.walk(runtime.resolve("lib"))) {
                files.filter(p -> p.toString().endsWith(".so")).forEach(binaries::add);
            }
            List<Path> libraries = new ArrayList<>();
            for (Path binary : binaries) {
                for (String line : run(List.of("ldd", binary.toString())).split("\n")) {
                    // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
                    String path = line.contains("=>") ? line.substring(line.indexOf("=>") + 2).trim() : line.trim();
                    int paren = path.indexOf(" (");
                    path = paren < 0 ? path : path.substring(0, paren);
                    if (path.startsWith("/") && !path.startsWith(runtime.toString())) {
                        Path lib = Path.of(path);
                        if (!libraries.contains(lib)) {
                            libraries.add(lib);
                        }
                    }
                }
            }
            Path etc = Files.createDirectories(work.resolve("etc"));
            Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                    + "conflux:x:185:185:Conflux:/deployments:/sbin/nologin\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\nconflux:x:185:\n");
            Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
            return new BaseLayers(runtime, List.copyOf(libraries), etc);
        }

        JibContainerBuilder onto(JibContainerBuilder builder) throws IOException {
            FileEntriesLayer.Builder system = FileEntriesLayer.builder().setName("system");
            for (Path lib : libraries) {
                // the file's content under the name the loader asks for (a symbolic link resolved)
                system.addEntry(lib.toRealPath(), AbsoluteUnixPath.get(lib.toString()), EXECUTABLE);
            }
            for (String file : List.of("passwd", "group", "nsswitch.conf")) {
                system.addEntry(etc.resolve(file), AbsoluteUnixPath.get("/etc/" + file));
            }
            // writable by anyone, so the image also runs without a volume there (the chart mounts an emptyDir)
            system.addEntry(Files.createDirectories(etc.resolveSibling("tmp")), AbsoluteUnixPath.get("/tmp"),
                    FilePermissions.fromOctalString("777"));
            FileEntriesLayer java = FileEntriesLayer.builder().setName("java-runtime")
                    .addEntryRecursive(runtime, AbsoluteUnixPath.get("/opt/java"), (source, target) ->
                            Files.isDirectory(source) || Files.isExecutable(source) ? EXECUTABLE
                                    : FilePermissions.DEFAULT_FILE_PERMISSIONS,
                            FileEntriesLayer.DEFAULT_MODIFICATION_TIME_PROVIDER)
                    .build();
            return builder.addFileEntriesLayer(system.build()).addFileEntriesLayer(java)
                    .addEnvironmentVariable("JAVA_HOME", "/opt/java")
                    .addEnvironmentVariable("PATH", "/opt/java/bin:/usr/bin:/bin");
        }

        private static String run(List<String> command) throws IOException, InterruptedException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        }
    }
}
