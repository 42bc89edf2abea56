package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.conflux.cli.TestCluster.Run;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code conflux history} against a stand-in for the applier's {@code /api/history} endpoint. */
class HistoryCommandTest {
    static final String ATTEMPTS = """
            [{"revision":"main@sha1:2222222222222222222222222222222222222222","reason":"ReconciliationSucceeded",
              "ready":true,"message":"drift corrected: Deployment/apps/podinfo configured (drift: spec.replicas 1 -> 3)",
              "created":0,"configured":1,"deleted":0,"durationMs":1234,"startedAt":"2024-05-01T10:05:00Z"},
             {"revision":"main@sha1:1111111111111111111111111111111111111111","reason":"HealthCheckFailed",
              "ready":false,"message":"timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']\\nsecond line",
              "created":2,"configured":0,"deleted":3,"durationMs":850,"startedAt":"2024-05-01T10:00:00Z"}]
            """;

    HttpServer applier;
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        applier = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        applier.createContext("/api/history/", exchange -> {
            requests.add(exchange.getRequestURI().toString());
            byte[] body = ATTEMPTS.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        applier.start();
    }

    @AfterEach
    void stop() {
        applier.stop(0);
    }

    @Test
    void printsEveryAttemptWithItsMessageUnderneath() {
        Run run = TestCluster.run("history", "kustomization", "podinfo", "-n", "apps", "--limit", "5",
                "--applier-url", "http://127.0.0.1:" + applier.getAddress().getPort());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(requests).containsExactly("/api/history/Kustomization/apps/podinfo?limit=5");
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).startsWith("STARTED").contains("REVISION", "REASON", "READY", "DURATION", "CREATED",
                "CONFIGURED", "PRUNED");
        assertThat(lines.get(1)).startsWith("2024-05-01T10:05:00Z")
                .contains("main@sha1:2222222222222222222222222222222222222222", "ReconciliationSucceeded", "true", "1.2s")
                .matches(".* 0 +1 +0$");
        assertThat(lines.get(2)).isEqualTo("    drift corrected: Deployment/apps/podinfo configured (drift: spec.replicas 1 -> 3)");
        assertThat(lines.get(3)).contains("HealthCheckFailed", "false", "850ms").matches(".* 2 +0 +3$");
        assertThat(lines.get(4)).isEqualTo("    timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']");
        assertThat(lines.get(5)).isEqualTo("    second line");
    }
}
