package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.bootstrap.runner.SerializedApplication;
import io.quarkus.runtime.Application;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
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

    @Test
    void afterTheStartAnApplicationKeepsTheJarsItUsesOpen(@TempDir Path app) throws Exception {
        List<Path> jars = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jars.add(jar(app.resolve("lib/main/lib" + i + ".jar"), "io/example/r" + i + ".txt", bytes("r" + i)));
        }
        ByteArrayOutputStream dat = new ByteArrayOutputStream();
        SerializedApplication.write(dat, "io.example.Main", app, jars, List.of(), List.of());

        // Quarkus' own: after the start (resetInternalCaches, as ApplicationLifecycleManager calls it) only the 4
        // jars used last stay open; the others are closed again as soon as a fifth is used
        ClassLoader quarkus = read(dat.toByteArray(), app);
        useAfterStart(quarkus, 6);
        assertThat(openJars(quarkus)).isLessThanOrEqualTo(4);
        quarkus.getClass().getMethod("close").invoke(quarkus);

        ClassLoader kept = read(dat.toByteArray(), app);
        ServicesJvmMain.keepOpen(kept, 8);
        useAfterStart(kept, 6);
        assertThat(openJars(kept)).isEqualTo(6);
        for (int i = 0; i < 6; i++) {
            assertThat(kept.getResource("io/example/r" + i + ".txt")).as("still served").isNotNull();
        }
        kept.getClass().getMethod("close").invoke(kept);
    }

    @Test
    void anApplicationCountsAsStartedOnceQuarkusReportsItStarted() {
        ClassLoader loader = ServicesJvmMainTest.class.getClassLoader();
        assertThat(ServicesJvmMain.started(new URLClassLoader(new URL[0], null)))
            .as("a loader without Quarkus").isFalse();
        Application application = new Application(false) {
            @Override
            protected void doStart(String[] args) {
            }

            @Override
            protected void doStop() {
            }

            @Override
            public String getName() {
                return "test";
            }
        };
        try {
            assertThat(ServicesJvmMain.started(loader)).as("created, not started").isFalse();
            application.start(new String[0]);
            assertThat(ServicesJvmMain.started(loader)).isTrue();
            assertThat(ServicesJvmMain.allStarted(List.of(loader), 1)).isTrue();
            assertThat(ServicesJvmMain.allStarted(List.of(loader), 2)).as("one application still to read").isFalse();
        } finally {
            application.stop();
        }
        assertThat(ServicesJvmMain.started(loader)).as("stopped").isFalse();
    }

    /** Ends the loader's start as Quarkus does, then reads one resource of each of the first {@code n} jars. */
    private static void useAfterStart(ClassLoader loader, int n) throws Exception {
        loader.getClass().getMethod("resetInternalCaches").invoke(loader);
        for (int i = 0; i < n; i++) {
            try (InputStream in = loader.getResourceAsStream("io/example/r" + i + ".txt")) {
                assertThat(in).isNotNull();
                assertThat(in.readAllBytes()).isEqualTo(bytes("r" + i));
            }
        }
    }

    /**
     * @return how many of the loader's jars are open: Quarkus 3.29's {@code JarResource}s (the loader's
     *         {@code resourceDirectoryMap} values) holding a {@code jarFileReference}
     */
    @SuppressWarnings("unchecked")
    private static long openJars(ClassLoader loader) throws ReflectiveOperationException {
        Field index = loader.getClass().getDeclaredField("resourceDirectoryMap");
        index.setAccessible(true);
        Set<Object> resources = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Object[] entry : ((Map<?, Object[]>) index.get(loader)).values()) {
            resources.addAll(Arrays.asList(entry));
        }
        long open = 0;
        for (Object resource : resources) {
            Field reference = resource.getClass().getDeclaredField("jarFileReference");
            reference.setAccessible(true);
            if (((AtomicReference<?>) reference.get(resource)).get() != null) {
                open++;
            }
        }
        return open;
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
