package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Launches a tiny stand-in "service" jar (an HTTP server with /q/health/ready) built at test time. */
class ServiceLauncherTest {

    /** The stand-in: prints a system property and an env var, serves readiness unless told to exit. */
    private static final String SOURCE = """
        import com.sun.net.httpserver.HttpServer;
        import java.net.InetSocketAddress;
        public class FakeService {
            public static void main(String[] args) throws Exception {
                System.out.println("greeting=" + System.getProperty("conflux.greeting") + " env=" + System.getenv("CONFLUX_TEST_ENV"));
                if (Boolean.getBoolean("conflux.fail")) {
                    System.out.println("failing on purpose");
                    System.exit(3);
                }
                int port = Integer.getInteger("quarkus.http.port");
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
                server.createContext("/q/health/ready", x -> {
                    byte[] b = "{\\"status\\":\\"UP\\"}".getBytes();
                    x.sendResponseHeaders(200, b.length);
                    x.getResponseBody().write(b);
                    x.close();
                });
                server.start();
            }
        }
        """;

    @TempDir
    static Path project;

    @BeforeAll
    static void buildFakeService() throws Exception {
        Path src = project.resolve("src/FakeService.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = project.resolve("classes");
        Files.createDirectories(classes);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString());
        assertThat(rc).isZero();
        Path jar = ServiceLauncher.quarkusRunJar(project, "fake");
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "FakeService");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.putNextEntry(new JarEntry("FakeService.class"));
            j.write(Files.readAllBytes(classes.resolve("FakeService.class")));
            j.closeEntry();
        }
    }

    @Test
    void startsPassesConfigAndEnvWaitsForReadinessAndStops() throws Exception {
        int port = Ports.freePort();
        Path log = project.resolve("logs/fake.log");
        ServiceLauncher service = ServiceLauncher.start(project, "fake",
            Map.of("quarkus.http.port", Integer.toString(port), "conflux.greeting", "hello world"),
            Map.of("CONFLUX_TEST_ENV", "from-env"), log, Duration.ofSeconds(30));
        try {
            assertThat(service.httpPort()).isEqualTo(port);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Files.readString(log)).contains("greeting=hello world env=from-env");
        } finally {
            service.close();
        }
        assertThat(service.isAlive()).isFalse();
        assertThat(ProcessHandle.of(service.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void passesJvmOptionsAndTheAppCdsArchiveBesideTheJar() throws Exception {
        Path jar = ServiceLauncher.quarkusRunJar(project, "fake");
        Path archive = jar.resolveSibling(ServiceLauncher.APP_CDS_ARCHIVE);
        // as Quarkus' build does: run the jar from its directory once, dumping the classes it loaded at exit
        Process dump = new ProcessBuilder(ServiceLauncher.javaExecutable(), "-XX:ArchiveClassesAtExit=" + archive.getFileName(),
            "-Dconflux.fail=true", "-jar", jar.getFileName().toString()).directory(jar.getParent().toFile())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        dump.waitFor();
        assertThat(archive).isRegularFile();
        Path log = project.resolve("logs/cds.log");
        ServiceLauncher service = ServiceLauncher.start(jar, List.of("-Xmx64m", "-Xlog:class+load=info"), Map.of(),
            Map.of(), log, Duration.ofSeconds(30));
        try {
            assertThat(ProcessHandle.of(service.pid()).orElseThrow().info().arguments().orElseThrow())
                .contains("-Xmx64m", "-XX:SharedArchiveFile=" + ServiceLauncher.APP_CDS_ARCHIVE);
            assertThat(Files.readString(log)).as("the service's own class comes from the archive")
                .containsPattern("FakeService source: shared objects file");
        } finally {
            service.close();
            Files.delete(archive);
        }
    }

    @Test
    void reportsAChildThatDiesWithItsLogTail() {
        Path log = project.resolve("logs/failing.log");
        assertThatThrownBy(() -> ServiceLauncher.start(project, "fake", Map.of("conflux.fail", "true"), Map.of(),
            log, Duration.ofSeconds(30)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("exited with code 3")
            .hasMessageContaining("failing on purpose");
    }

    @Test
    void reportsAMissingJar() {
        assertThatThrownBy(() -> ServiceLauncher.start(project, "no-such-module", Map.of(), Map.of(),
            project.resolve("logs/missing.log"), Duration.ofSeconds(5)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no-such-module/target/quarkus-app/quarkus-run.jar");
    }
}
