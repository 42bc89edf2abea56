package io.conflux.receiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.receiver.consume.WebhookWarmUp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The receiver's warm-up of its webhook path ({@link WebhookWarmUp}): its requests reach the running server and are
 * answered 404 (no Receiver has their path), and they are left out of the HTTP server metrics, where a real request
 * to an unknown path is counted.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedInfrastructure.class)
class WebhookWarmUpTest {
    @TestHTTPResource("/")
    URL base;

    @Inject
    WebhookWarmUp warmUp;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void warmUpRequestsAreAnswered404AndNotCountedInTheHttpMetrics() throws Exception {
        double before = hook404s();

        assertThat(warmUp.warmUp(base.getHost(), base.getPort())).as("conflux.receiver.warm-up-requests=3")
                .containsExactly(404, 404, 404);
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(base.toURI().resolve("/hook/" + "1".repeat(64)))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);

        assertThat(hook404s() - before).as("only the request from outside is counted").isEqualTo(1.0);
    }

    /** @return the value of a sample line, {@code name{labels} value [# exemplar]} */
    private static double value(String line) {
        String sample = line.contains(" # ") ? line.substring(0, line.indexOf(" # ")) : line;
        return Double.parseDouble(sample.substring(sample.lastIndexOf(' ') + 1));
    }

    /** @return the sum of the 404 answers on /hook/ paths in the Prometheus scrape */
    private double hook404s() throws Exception {
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve("/q/metrics"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        return scrape.body().lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_count{") && l.contains("/hook/")
                        && l.contains("status=\"404\""))
                .mapToDouble(WebhookWarmUpTest::value)
                .sum();
    }
}
