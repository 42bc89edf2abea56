package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An API server or admission webhook that quotes the refused object in its message must not carry a Secret's values
 * into the apply error (which becomes status, events, history, Kafka records and notifications).
 */
class SecretRedactionTest {
    private static final String CANARY = "c4n4ry-d41d8c";
    private static final Map<String, String> OWNER = Map.of("kustomize.toolkit.fluxcd.io/name", "apps",
            "kustomize.toolkit.fluxcd.io/namespace", "default");

    /** An API server whose admission refuses every write, quoting the request body as some policy engines do. */
    private static HttpServer echoingApiServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean write = !"GET".equals(exchange.getRequestMethod());
            String discovery = switch (exchange.getRequestURI().getPath()) {
                case "/api" -> "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}";
                case "/api/v1" -> "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":[{\"name\":"
                        + "\"secrets\",\"singularName\":\"secret\",\"namespaced\":true,\"kind\":\"Secret\","
                        + "\"verbs\":[\"get\",\"patch\",\"create\"]}]}";
                default -> null;
            };
            if (discovery != null) {
                byte[] b = discovery.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, b.length);
                exchange.getResponseBody().write(b);
                exchange.close();
                return;
            }
            int code = write ? 422 : 404;
            String message = write ? "admission webhook 'policy.example.com' denied the request: " + body
                    .replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") : "not found";
            byte[] status = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + code
                    + ",\"reason\":\"" + (write ? "Invalid" : "NotFound") + "\",\"message\":\"" + message + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, status.length);
            exchange.getResponseBody().write(status);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void aRefusalQuotingTheSecretHasItsValuesRedacted() throws IOException {
        HttpServer server = echoingApiServer();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).withRequestRetryBackoffLimit(0)
                .build()).build()) {
            String encoded = Base64.getEncoder().encodeToString(("db-" + CANARY).getBytes(StandardCharsets.UTF_8));
            Map<String, Object> secret = Map.of("apiVersion", "v1", "kind", "Secret",
                    "metadata", Map.of("name", "db", "namespace", "apps"),
                    "data", Map.of("password", encoded), "stringData", Map.of("token", "tk-" + CANARY));

            ApplyResult result = new ObjectApplier(client, "conflux").apply(List.of(secret), OWNER, List.of(), false);

            assertThat(result.error()).contains("Secret/apps/db apply failed")
                    .contains("denied the request").contains(SecretRedaction.REDACTED)
                    .doesNotContain(CANARY).doesNotContain(encoded);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void otherKindsAndShortValuesAreLeftAsTheyAre() {
        Map<String, Object> cm = Map.of("kind", "ConfigMap", "data", Map.of("a", "value-" + CANARY));
        assertThat(SecretRedaction.redact("bad value-" + CANARY, cm)).isEqualTo("bad value-" + CANARY);
        Map<String, Object> secret = Map.of("kind", "Secret", "stringData", Map.of("a", "on", "b", "x" + CANARY));
        assertThat(SecretRedaction.redact("on: x" + CANARY, secret)).isEqualTo("on: " + SecretRedaction.REDACTED);
    }
}
