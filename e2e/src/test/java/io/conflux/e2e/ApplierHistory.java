package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.cli.local.LocalInstallation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the applier's reconcile history ({@code GET /api/history/{kind}/{namespace}/{name}}, newest first) of a
 * running installation, for tests that check order and latency across Kustomizations.
 */
final class ApplierHistory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ApplierHistory() {
    }

    /**
     * @return the attempts recorded for the object (at most 200), newest first, as the API's JSON objects
     *         ({@code revision}, {@code ready}, {@code reason}, {@code message}, {@code startedAt}, {@code durationMs},
     *         counts)
     */
    static List<JsonNode> attempts(LocalInstallation conflux, String kind, String namespace, String name)
            throws IOException, InterruptedException {
        String url = "http://127.0.0.1:" + conflux.service("applier").httpPort() + "/api/history/" + kind + "/"
                + namespace + "/" + name + "?limit=200";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        List<JsonNode> attempts = new ArrayList<>();
        JSON.readTree(response.body()).forEach(attempts::add);
        return attempts;
    }

    /** @return the object's first successful (Ready) attempt, by end time; fails if there is none */
    static JsonNode firstSuccess(LocalInstallation conflux, String kind, String namespace, String name)
            throws IOException, InterruptedException {
        JsonNode first = null;
        for (JsonNode attempt : attempts(conflux, kind, namespace, name)) {
            if (attempt.path("ready").asBoolean() && (first == null || end(attempt).isBefore(end(first)))) {
                first = attempt;
            }
        }
        assertThat(first).as("a successful reconciliation of %s %s/%s", kind, namespace, name).isNotNull();
        return first;
    }

    /** @return when the attempt ended: {@code startedAt} + {@code durationMs} */
    static OffsetDateTime end(JsonNode attempt) {
        return OffsetDateTime.parse(attempt.path("startedAt").asText())
                .plus(Duration.ofMillis(attempt.path("durationMs").asLong()));
    }
}
