package io.conflux.applier.it;

import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.EmbeddedPostgres;
import io.conflux.embedded.InMemoryKubernetes;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts a real Kafka broker, a real PostgreSQL (with the renderer's {@code bundle} table, which the applier only
 * reads) and the in-memory Kubernetes API with Conflux's CRDs and the tests' own ({@code src/test/resources/crds}) —
 * management and target cluster at once — for the
 * applier's {@code @QuarkusTest}s, once for all of them (they share one application and use objects of their own).
 * Health polls are made fast (50 ms).
 */
public class ApplierServices implements QuarkusTestResourceLifecycleManager {
    static volatile EmbeddedKafka kafka;
    static volatile EmbeddedPostgres postgres;
    static volatile InMemoryKubernetes kube;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("conflux-applier-test");
            kafka = EmbeddedKafka.start(dir.resolve("kafka"));
            postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
            kube = InMemoryKubernetes.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kube.installCrds(Path.of("..", "deploy", "crds"));
        kube.installCrds(Path.of("src", "test", "resources", "crds")); // test kinds: example.com Widget
        sql("CREATE TABLE IF NOT EXISTS bundle (digest VARCHAR(80) PRIMARY KEY, content TEXT NOT NULL,"
                + " object_count INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL)");
        Map<String, String> config = new LinkedHashMap<>(postgres.quarkusDatasource());
        // a free port rather than 8081 (ObservabilityTest scrapes /q/metrics): other modules' tests may hold 8081
        config.put("quarkus.http.test-port", String.valueOf(io.conflux.embedded.Ports.freePort()));
        config.putAll(Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.kubernetes-client.api-server-url", kube.url(),
                "quarkus.kubernetes-client.namespace", "default",
                "conflux.applier.health-poll-interval", "0.05S",
                // the stall audit (NoSilentStallTest) runs every second with a one-second grace: the other tests' objects
                // have 10m intervals (HelmReleases 1s with Flux's 5m default timeout) and are never stalled in a test
                "conflux.applier.stall-audit.period", "1S",
                "conflux.applier.stall-audit.grace", "1S",
                // the tests hand render results to the reconciler directly, not through a consumer group
                "conflux.ownership.mode", "all"));
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
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Stores a clear (unsealed) bundle as the renderer would, under {@code digest}. */
    static void bundle(String digest, String content, int objectCount) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO bundle (digest, content, object_count, created_at) VALUES (?, ?, ?, now()) ON CONFLICT DO NOTHING")) {
            s.setString(1, digest);
            s.setString(2, content);
            s.setInt(3, objectCount);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces the content of the stored bundle {@code digest} (a renderer never does: a test's repair). */
    static void replaceBundle(String digest, String content) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "UPDATE bundle SET content = ? WHERE digest = ?")) {
            s.setString(1, content);
            s.setString(2, digest);
            if (s.executeUpdate() != 1) {
                throw new IllegalStateException("no bundle " + digest);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the first column of the first row of {@code query}, or null when there is none */
    static String queryOne(String query, String parameter) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(query)) {
            s.setString(1, parameter);
            try (var rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sql(String statement) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }
}
