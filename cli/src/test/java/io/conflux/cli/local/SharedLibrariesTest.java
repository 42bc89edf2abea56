package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The choice of the jars the one services JVM shares: allowed, in every application with the same bytes, and no
 * package split with a class that stays per application (Quarkus' generated classes excepted).
 */
class SharedLibrariesTest {

    @Test
    void sharesAnAllowedJarThatIsTheSameInEveryApplication(@TempDir Path dir) throws IOException {
        Path a = app(dir, "a");
        Path b = app(dir, "b");
        for (Path app : List.of(a, b)) {
            jar(lib(app, "io.netty.netty-common-4.1.128.Final.jar"), "io/netty/util/Recycler.class", "v1");
            jar(lib(app, "io.quarkus.quarkus-core-3.29.4.jar"), "io/quarkus/runtime/Quarkus.class", "v1");
            // ArC's bean for a library type lands in the library's package: tolerated
            jar(app.resolve("quarkus/generated-bytecode.jar"), "io/netty/util/Recycler_Synthetic_Bean.class", "v1");
        }

        SharedLibraries shared = SharedLibraries.of(List.of(a, b));

        assertThat(shared.jars()).containsExactly(lib(a, "io.netty.netty-common-4.1.128.Final.jar"));
        assertThat(shared.keptPerApplication()).isEmpty();
    }

    @Test
    void keepsAJarThatDiffersOrIsMissingInAnApplication(@TempDir Path dir) throws IOException {
        Path a = app(dir, "a");
        Path b = app(dir, "b");
        jar(lib(a, "io.netty.netty-common-4.1.128.Final.jar"), "io/netty/util/Recycler.class", "v1");
        jar(lib(b, "io.netty.netty-common-4.1.128.Final.jar"), "io/netty/util/Recycler.class", "v2");
        jar(lib(a, "org.slf4j.slf4j-api-2.0.17.jar"), "org/slf4j/Logger.class", "v1");

        SharedLibraries shared = SharedLibraries.of(List.of(a, b));

        assertThat(shared.jars()).isEmpty();
        assertThat(shared.keptPerApplication())
            .containsEntry("io.netty.netty-common-4.1.128.Final.jar", "differs in " + b)
            .containsEntry("org.slf4j.slf4j-api-2.0.17.jar", "not in " + b);
    }

    @Test
    void keepsAJarWhosePackageHoldsARewrittenClassAndThenTheJarsSplittingAPackageWithIt(@TempDir Path dir)
            throws IOException {
        Path a = app(dir, "a");
        Path b = app(dir, "b");
        for (Path app : List.of(a, b)) {
            jar(lib(app, "com.fasterxml.jackson.core.jackson-core-2.20.1.jar"), "com/fasterxml/jackson/core/A.class",
                "v1");
            // a second allowed jar with a class in the first one's package
            jar(lib(app, "com.fasterxml.jackson.core.jackson-databind-2.20.1.jar"),
                "com/fasterxml/jackson/databind/B.class", "v1", "com/fasterxml/jackson/core/C.class", "v1");
            jar(lib(app, "org.slf4j.slf4j-api-2.0.17.jar"), "org/slf4j/Logger.class", "v1");
        }
        jar(b.resolve("quarkus/transformed-bytecode.jar"), "com/fasterxml/jackson/databind/B.class", "rewritten");

        SharedLibraries shared = SharedLibraries.of(List.of(a, b));

        assertThat(shared.jars()).containsExactly(lib(a, "org.slf4j.slf4j-api-2.0.17.jar"));
        assertThat(shared.keptPerApplication().get("com.fasterxml.jackson.core.jackson-databind-2.20.1.jar"))
            .isEqualTo("package com.fasterxml.jackson.databind also in quarkus/transformed-bytecode.jar");
        assertThat(shared.keptPerApplication().get("com.fasterxml.jackson.core.jackson-core-2.20.1.jar"))
            .isEqualTo("package com.fasterxml.jackson.core also in "
                + "com.fasterxml.jackson.core.jackson-databind-2.20.1.jar");
    }

    @Test
    void keepsAJarWhosePackageIsSplitWithAnApplicationsOwnJarOrANotAllowedLibrary(@TempDir Path dir)
            throws IOException {
        Path a = app(dir, "a");
        Path b = app(dir, "b");
        for (Path app : List.of(a, b)) {
            jar(lib(app, "io.fabric8.kubernetes-model-core-7.4.0.jar"), "io/fabric8/kubernetes/api/model/Pod.class",
                "v1");
            jar(lib(app, "io.vertx.vertx-core-4.5.22.jar"), "org/slf4j/Shaded.class", "v1");
            jar(lib(app, "org.slf4j.slf4j-api-2.0.17.jar"), "org/slf4j/Logger.class", "v1");
        }
        jar(a.resolve("app/conflux-a.jar"), "io/fabric8/kubernetes/api/model/Mine.class", "v1");

        SharedLibraries shared = SharedLibraries.of(List.of(a, b));

        assertThat(shared.jars()).isEmpty();
        assertThat(shared.keptPerApplication()).containsOnlyKeys("io.fabric8.kubernetes-model-core-7.4.0.jar",
            "org.slf4j.slf4j-api-2.0.17.jar");
    }

    private static Path app(Path dir, String name) throws IOException {
        Path app = dir.resolve(name).resolve("quarkus-app");
        Files.createDirectories(app.resolve("lib/main"));
        Files.createDirectories(app.resolve("app"));
        Files.createDirectories(app.resolve("quarkus"));
        return app;
    }

    private static Path lib(Path app, String name) {
        return app.resolve("lib/main").resolve(name);
    }

    /** Writes a jar of entries given as name, content pairs. */
    private static void jar(Path file, String... entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (int i = 0; i < entries.length; i += 2) {
                ZipEntry entry = new ZipEntry(entries[i]);
                entry.setTime(0);
                zip.putNextEntry(entry);
                zip.write(entries[i + 1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
    }
}
