package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.topic.RenderResult;
import io.conflux.service.TraceContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Issue #14 in the applier: a render result arriving over Kafka with the renderer's {@code traceparent} is applied;
 * {@code /q/metrics} then shows Flux's {@code gotk_*} series of the Kustomization with Flux's labels and the
 * webhook-to-applied latency; the applier's span joins the incoming trace, and the events it publishes through its
 * outbox carry that trace on to the notifier.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class ObservabilityTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String KEY = "Kustomization/default/observed";
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN = "00f067aa0ba902b7";

    @Inject
    ObjectMapper json;
    @Inject
    SpanCollector spans;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void aRenderResultOverKafkaIsAppliedMeasuredAndTracedOnToItsEvents() throws Exception {
        KubernetesClient kube = ApplierServices.kube.client();
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"observed\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\",\"prune\":true,"
                + "\"path\":\"./\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"repo\"}}}", Kustomization.class)).create();
        long generation = kube.resources(Kustomization.class).inNamespace("default").withName("observed").get()
                .getMetadata().getGeneration();
        String digest = "sha256:observed-1";
        ApplierServices.bundle(digest, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"observed\","
                + "\"namespace\":\"default\"},\"data\":{\"revision\":\"o1\"}}]", 1);
        RenderResult result = new RenderResult(KEY, generation, "main@sha1:o1", digest, 1, null, null,
                Instant.now().toString(), 1L, Instant.now().minusSeconds(3).toString());
        String traceparent = "00-" + TRACE_ID + "-" + PARENT_SPAN + "-01";

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, ApplierServices.kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            // sent again until the applier's informer has seen the Kustomization (a result for an unknown object waits)
            Await.until(PATIENCE, () -> {
                try {
                    ProducerRecord<String, String> record = new ProducerRecord<>("conflux.render-results", KEY,
                            json.writeValueAsString(result));
                    TraceContext.inject(record.headers(), traceparent);
                    producer.send(record).get();
                    Thread.sleep(500);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                ConfigMap cm = kube.configMaps().inNamespace("default").withName("observed").get();
                return cm != null;
            });
        }

        // Flux's series, Flux's labels (fluxcd/pkg runtime/metrics), once the status is written
        String labels = "kind=\"Kustomization\",name=\"observed\",namespace=\"default\"";
        AtomicReference<List<String>> lines = new AtomicReference<>(List.of());
        String ready = "gotk_reconcile_condition{" + labels + ",status=\"True\",type=\"Ready\"} 1.0";
        try {
            Await.until(PATIENCE, () -> {
                lines.set(scrape());
                return lines.get().contains(ready);
            });
        } catch (AssertionError e) {
            assertThat(lines.get().stream().filter(l -> l.startsWith("gotk_") || l.startsWith("conflux_")).toList())
                    .as("the Flux series on /q/metrics").contains(ready);
        }
        assertThat(lines.get())
                .contains("gotk_reconcile_condition{" + labels + ",status=\"False\",type=\"Ready\"} 0.0")
                .contains("gotk_reconcile_condition{" + labels + ",status=\"Unknown\",type=\"Ready\"} 0.0")
                .contains("gotk_suspend_status{" + labels + "} 0.0")
                .anyMatch(l -> l.startsWith("gotk_reconcile_duration_seconds_bucket{" + labels + ",le=\"0.01\"}"))
                .anyMatch(l -> l.startsWith("gotk_reconcile_duration_seconds_bucket{" + labels + ",le=\"1800.0\"}"))
                .anyMatch(l -> l.startsWith("gotk_reconcile_duration_seconds_count{" + labels + "}"))
                .anyMatch(l -> l.startsWith("conflux_webhook_to_applied_seconds_count{kind=\"Kustomization\"}")
                        && !l.endsWith(" 0.0"))
                .anyMatch(l -> l.startsWith("kafka_consumer_fetch_manager_records_lag_max{"));
        assertThat(lines.get().stream().filter(l -> l.startsWith("gotk_reconcile_duration_seconds_bucket{" + labels)))
                .as("Flux's ten buckets and +Inf").hasSize(11);

        // the applier's span is a child in the incoming trace ...
        Await.until(PATIENCE, () -> spans.spans().stream().anyMatch(s -> s.getTraceId().equals(TRACE_ID)
                && s.getName().equals("conflux.render-results process")));
        SpanData consumed = spans.spans().stream().filter(s -> s.getTraceId().equals(TRACE_ID)
                && s.getName().equals("conflux.render-results process")).findFirst().orElseThrow();
        assertThat(consumed.getParentSpanId()).isEqualTo(PARENT_SPAN);
        assertThat(consumed.getAttributes().asMap().toString()).contains(KEY);

        // ... and the events published through the outbox carry the trace on (the notifier's parent)
        List<String> eventTraces = new ArrayList<>();
        Await.until(PATIENCE, () -> {
            eventTraces.clear();
            eventsOf(KEY).forEach(r -> eventTraces.add(TraceContext.traceparent(r.headers())));
            return eventTraces.stream().anyMatch(t -> t != null && t.contains(TRACE_ID));
        });
        String carried = eventTraces.stream().filter(t -> t != null && t.contains(TRACE_ID)).findFirst().orElseThrow();
        assertThat(TraceContext.traceIds(List.of(carried))).containsExactly(TRACE_ID);
        assertThat(carried).as("the applier's own span, not the renderer's").doesNotContain(PARENT_SPAN);
    }

    private List<String> scrape() {
        try {
            HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body().lines().toList() : List.of();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ConsumerRecord<String, String>> eventsOf(String key) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ApplierServices.kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor("conflux.events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        records.add(r);
                    }
                });
            }
            return records;
        }
    }
}
