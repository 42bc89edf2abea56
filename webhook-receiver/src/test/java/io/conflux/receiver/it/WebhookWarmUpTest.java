package io.conflux.receiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.topic.Topics;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The receiver's warm-up of its webhook path ({@link WebhookWarmUp}): its requests reach the running server and are
 * answered 404 (no Receiver has their path), and they are left out of the HTTP server metrics, where a real request
 * to an unknown path is counted; its reconcile request is published unsampled and consumed.
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

    /**
     * The warm-up's reconcile request goes through the outbox to {@code conflux.reconcile-requests} with a trace parent
     * that is not sampled, and the receiver's consumer takes it (its group's committed offset passes it).
     */
    @Test
    void theWarmUpReconcileRequestIsPublishedUnsampledAndConsumed() throws Exception {
        assertThat(warmUp.requestReconcile()).isTrue();

        ConsumerRecord<String, String> sent = await("the warm-up request on " + Topics.RECONCILE_REQUESTS, () -> {
            List<ConsumerRecord<String, String>> all = EmbeddedInfrastructure.records(Topics.RECONCILE_REQUESTS).stream()
                    .filter(r -> WebhookWarmUp.RECONCILE_KEY.equals(r.key())).toList();
            // one from the application's own start, one from this test
            return all.size() >= 2 ? all.get(all.size() - 1) : null;
        });
        Header traceparent = sent.headers().lastHeader("traceparent");
        assertThat(traceparent).as("traceparent header").isNotNull();
        assertThat(new String(traceparent.value(), StandardCharsets.UTF_8)).as("not sampled")
                .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
        assertThat(sent.value()).contains("\"object\":\"" + WebhookWarmUp.RECONCILE_KEY + "\"");

        TopicPartition partition = new TopicPartition(sent.topic(), sent.partition());
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedInfrastructure.kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            await("the receiver's consumer past the warm-up request", () -> {
                try {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets("conflux-receiver")
                            .partitionsToOffsetAndMetadata().get().get(partition);
                    return committed != null && committed.offset() > sent.offset() ? true : null;
                } catch (InterruptedException | ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
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
