package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.bootstrap.runner.SerializedApplication;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services JVM's application class loaders (Quarkus' {@code RunnerClassLoader}, read from a
 * {@code quarkus-application.dat} as {@code java -jar quarkus-run.jar} reads it) without the shared jars: their
 * classes come from the parent, their resources and {@code META-INF/services} entries no longer from the application.
 */
class ServicesJvmMainTest {
    private static final String SERVICES = "META-INF/services/io.example.Spi";
    private static final String SHARED_CLASS = SharedLibraries.class.getName();

    @Test
    void anUnindexedJarsClassesAndResourcesComeFromTheParent(@TempDir Path app) throws Exception {
        byte[] classFile;
        try (InputStream in = SharedLibraries.class.getResourceAsStream("SharedLibraries.class")) {
            classFile = in.readAllBytes();
        }
        Path shared = jar(app.resolve("lib/main/shared.jar"), SHARED_CLASS.replace('.', '/') + ".class", classFile,
            "io/example/shared.txt", bytes("shared"), SERVICES, bytes("io.example.FromShared"));
        Path own = jar(app.resolve("lib/main/own.jar"), "io/example/own.txt", bytes("own"), SERVICES,
            bytes("io.example.FromOwn"));
        ByteArrayOutputStream dat = new ByteArrayOutputStream();
        SerializedApplication.write(dat, "io.example.Main", app, List.of(shared, own), List.of(), List.of());

        ClassLoader indexed = read(dat.toByteArray(), app);
        assertThat(indexed.loadClass(SHARED_CLASS).getClassLoader()).isSameAs(indexed);
        assertThat(indexed.getResource("io/example/shared.txt")).isNotNull();
        assertThat(Collections.list(indexed.getResources(SERVICES))).hasSize(2);

        ClassLoader unindexed = read(dat.toByteArray(), app);
        assertThat(ServicesJvmMain.unindex(unindexed, Set.of("shared.jar"))).isEqualTo(1);
        assertThat(unindexed.loadClass(SHARED_CLASS))
            .isSameAs(Class.forName(SHARED_CLASS, false, ClassLoader.getSystemClassLoader()));
        assertThat(unindexed.getResource("io/example/shared.txt")).isNull();
        assertThat(unindexed.getResource("io/example/own.txt")).isNotNull();
        List<URL> services = Collections.list(unindexed.getResources(SERVICES));
        assertThat(services).hasSize(1);
        assertThat(services.get(0).toString()).contains("own.jar");
    }

    private static ClassLoader read(byte[] dat, Path app) throws IOException {
        return SerializedApplication.read(new ByteArrayInputStream(dat), app).getRunnerClassLoader();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes a jar of entries given as name, content pairs; returns its path. */
    private static Path jar(Path file, Object... entries) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < entries.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) entries[i]));
                zip.write((byte[]) entries[i + 1]);
                zip.closeEntry();
            }
        }
        return file;
    }
}
