package io.conflux.renderer.render;

import io.conflux.embedded.EmbeddedPostgres;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The renderer's database for {@code @QuarkusTest}s that build renderer parts by hand but persist through Panache: a
 * real PostgreSQL from Maven binaries (Flyway migrates the renderer's tables at start), and an in-memory Kubernetes API
 * with Conflux's CRDs for the application's own watchers. No Kafka: the source-revisions channel is disabled, and the
 * render results the tests cause stay in the outbox table, where they read them. Declared unrestricted on every {@code @QuarkusTest} of the module, so they
 * share one application: a restarted application kept the first one's API server URL.
 */
public class EmbeddedDatabase implements QuarkusTestResourceLifecycleManager {
    private EmbeddedPostgres postgres;
    private InMemoryKubernetes kube;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("conflux-renderer-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        // the source-watcher kinds (#13) until deploy/crds ships them
        kube.installCrds(Path.of("src", "test", "resources", "crds-wt-gen"));
        Map<String, String> config = new java.util.LinkedHashMap<>(postgres.quarkusDatasource());
        config.putAll(Map.ofEntries(
                Map.entry("quarkus.kubernetes-client.api-server-url", kube.url()),
                Map.entry("quarkus.http.test-port", String.valueOf(Ports.freePort())),
                Map.entry("kafka.bootstrap.servers", "127.0.0.1:" + Ports.freePort()),
                Map.entry("mp.messaging.incoming.source-revisions.enabled", "false"),
                Map.entry("conflux.renderer.mirrors-dir", dir.resolve("mirrors").toString()),
                Map.entry("conflux.renderer.charts-dir", dir.resolve("charts").toString()),
                // every key is this process's; the outbox relay finds no broker, so render results stay in
                // renderer_outbox, where the tests read them (TestCoordinators.Published)
                Map.entry("conflux.ownership.mode", "all"),
                Map.entry("conflux.outbox.send-timeout", "1s"),
                Map.entry("quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN")));
        return config;
    }

    @Override
    public void stop() {
        if (kube != null) {
            kube.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp directory
            }
        }
    }
}
