package io.conflux.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OCI image tarballs {@code ./mvnw package -Pimages} wrote: each names its image, runs as user 185 with the
 * fast-jar entrypoint and the service's port, keeps dependencies in their own layers below the application, and —
 * unpacked as a root filesystem — starts its Java runtime and loads the service's main class path (checked with
 * {@code chroot} when the build runs as root, the closest to running the container without a container runtime).
 */
class ImageTarballIT {
    private static final Path IMAGES = Path.of("target", "images");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"webhook-receiver", "renderer", "applier", "notifier"})
    void theImageRunsAsANonRootUserWithTheFastJarEntrypointInLayers(String service) throws Exception {
        Path tar = IMAGES.resolve(service + ".tar");
        assertThat(tar).isRegularFile();
        Path layout = Files.createDirectories(work.resolve("layout"));
        run(List.of("tar", "-xf", tar.toString(), "-C", layout.toString()));
        assertThat(layout.resolve("oci-layout")).isRegularFile();
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifestRef = index.path("manifests").get(0);
        assertThat(manifestRef.path("annotations").path("org.opencontainers.image.ref.name").asText())
                .endsWith("conflux-" + service + ":" + System.getProperty("project.version", "0.1.0-SNAPSHOT"));
        JsonNode manifest = JSON.readTree(blob(layout, manifestRef.path("digest").asText()).toFile());
        JsonNode config = JSON.readTree(blob(layout, manifest.path("config").path("digest").asText()).toFile()).path("config");

        assertThat(config.path("User").asText()).isEqualTo("185:185");
        assertThat(config.path("WorkingDir").asText()).isEqualTo("/deployments");
        assertThat(config.path("Entrypoint")).extracting(JsonNode::asText)
                .containsExactly("/opt/java/bin/java", "-jar", "/deployments/quarkus-run.jar");
        assertThat(config.path("ExposedPorts").has(ImageBuilder.PORTS.get(service) + "/tcp")).isTrue();
        assertThat(config.path("Env").toString()).contains("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75");

        // unpack every layer in order into one root filesystem
        Path root = Files.createDirectories(work.resolve("rootfs"));
        List<String> layerFiles = new ArrayList<>();
        for (JsonNode layer : manifest.path("layers")) {
            Path file = blob(layout, layer.path("digest").asText());
            layerFiles.add(run(List.of("tar", "-tzf", file.toString())));
            run(List.of("tar", "-xzf", file.toString(), "-C", root.toString()));
        }
        assertThat(layerFiles).as("system, Java runtime, boot and main dependencies, quarkus, app, runner")
                .hasSizeGreaterThanOrEqualTo(7);
        assertThat(layerFiles.get(layerFiles.size() - 1)).contains("deployments/quarkus-run.jar");
        assertThat(String.join("\n", layerFiles.subList(0, 2))).contains("opt/java/bin/java");
        assertThat(root.resolve("deployments/lib/main")).isDirectory();
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains(":185:185:");

        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/chroot")),
                "chroot needs root");
        // a container runtime mounts /proc (the loader resolves $ORIGIN through /proc/self/exe); so do we, if allowed
        Path proc = Files.createDirectories(root.resolve("proc"));
        assumeTrue(new ProcessBuilder("mount", "-t", "proc", "proc", proc.toString()).start().waitFor() == 0,
                "cannot mount /proc in the unpacked image");
        try {
            String version = run(List.of("/usr/sbin/chroot", "--userspec=185:185", root.toString(),
                    "/opt/java/bin/java", "-version"));
            assertThat(version).contains("17.");
            // the fast-jar's class path resolves inside the image and /tmp is writable: the application starts and
            // then stops for want of Kafka and PostgreSQL
            String start = run(List.of("/usr/sbin/chroot", "--userspec=185:185", root.toString(), "/opt/java/bin/java",
                    "-Dquarkus.http.port=0", "-Dquarkus.datasource.jdbc.acquisition-timeout=1s",
                    "-jar", "/deployments/quarkus-run.jar"), true);
            assertThat(start).doesNotContain("ClassNotFoundException", "Could not find or load main class",
                    "UnsatisfiedLinkError", "AccessDeniedException").contains("Connection to 127.0.0.1:5432 refused");
        } finally {
            new ProcessBuilder("umount", proc.toString()).start().waitFor();
        }
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, false);
    }

    private static String run(List<String> command, boolean mayFail) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        if (!mayFail) {
            assertThat(process.exitValue()).as("%s: %s", command, out).isZero();
        }
        return out;
    }
}
