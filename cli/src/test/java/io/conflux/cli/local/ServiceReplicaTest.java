package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.ServiceLauncher;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica of a tiny stand-in "service" jar (an HTTP server with /q/health/ready) killed with kill -9 and started again. */
class ServiceReplicaTest {

    /** The stand-in: serves readiness on quarkus.http.port until killed. */
    private static final String SOURCE = """
        import com.sun.net.httpserver.HttpServer;
        import java.net.InetSocketAddress;
        public class FakeService {
            public static void main(String[] args) throws Exception {
                System.out.println("started " + ProcessHandle.current().pid());
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("quarkus.http.port")), 0);
                server.createContext("/q/health/ready", x -> {
                    x.sendResponseHeaders(200, -1);
                    x.close();
                });
                server.start();
            }
        }
        """;

    @Test
    void isKilledWithoutGraceAndStartsAgainOnTheSamePortAndLog(@TempDir Path project) throws Exception {
        buildFakeService(project);
        Path log = project.resolve("logs/fake.log");
        try (ServiceReplica replica = new ServiceReplica("fake", 1, project, List.of("-Xmx64m"), Map.of(), Map.of(), log,
                Duration.ofSeconds(30))) {
            assertThat(replica.isAlive()).isFalse();
            assertThat(replica.kill()).isFalse();

            replica.start();
            ServiceLauncher first = replica.launcher();
            int port = first.httpPort();
            assertThat(replica.isAlive()).isTrue();
            assertThat(ProcessHandle.of(first.pid()).orElseThrow().info().arguments().orElseThrow())
                .as("the replica's JVM options reach the child JVM").contains("-Xmx64m");
            assertThat(ready(port)).isEqualTo(200);

            assertThat(replica.kill()).isTrue();
            assertThat(replica.isAlive()).isFalse();
            assertThat(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(replica.kill()).isFalse();

            replica.start();
            replica.start();
            assertThat(replica.launcher().pid()).isNotEqualTo(first.pid());
            assertThat(replica.launcher().httpPort()).isEqualTo(port);
            assertThat(ready(port)).isEqualTo(200);
            assertThat(replica.starts()).isEqualTo(2);
            assertThat(replica.kills()).isEqualTo(1);
            assertThat(replica.name()).isEqualTo("fake#1");
            assertThat(Files.readString(log)).contains("started " + first.pid(), "started " + replica.launcher().pid());
        }
    }

    private static int ready(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void buildFakeService(Path project) throws Exception {
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
}
