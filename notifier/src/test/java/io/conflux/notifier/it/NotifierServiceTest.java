package io.conflux.notifier.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ProviderSpec;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.deliver.HttpSink;
import io.conflux.notifier.dispatch.Dispatcher;
import io.conflux.notifier.persist.DeliveryStore;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The notifier end to end with a real Kafka broker, a real PostgreSQL and an in-memory Kubernetes API: unusable
 * Providers are reported with Warning Events, events from {@code conflux.events} reach a local Slack stand-in once (also when two consumers
 * handle the same event at once), transient failures are retried, a Provider outage holds the event until the
 * Provider is back and a Provider refusing the request is a failed delivery — neither is dead-lettered.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedServices.class, restrictToAnnotatedClass = true)
class NotifierServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String NS = "flux-system";

    static HttpSink slack;
    static HttpSink flaky;
    static HttpSink down;
    static HttpSink hmac;
    static HttpSink quiet;
    static HttpSink held;
    static HttpSink refusing;
    static HttpSink twice;
    static KafkaProducer<String, String> producer;

    @Inject
    Dispatcher dispatcher;
    @Inject
    DeliveryStore store;
    @Inject
    io.conflux.service.Ownership ownership;
    @Inject
    io.conflux.notifier.dispatch.NotificationObjects objects;

    @TestHTTPResource("/api/deliveries?limit=100")
    URI deliveriesApi;
    @TestHTTPResource("/api/events?limit=100")
    URI eventsApi;
    @TestHTTPResource("/")
    URI root;

    @BeforeAll
    static void setUp() {
        slack = HttpSink.start();
        flaky = HttpSink.start();
        down = HttpSink.start().otherwise(HttpSink.Response.of(503));
        hmac = HttpSink.start();
        quiet = HttpSink.start();
        held = HttpSink.start();
        refusing = HttpSink.start().otherwise(HttpSink.Response.of(403));
        twice = HttpSink.start();
        Properties props = new Properties();
        props.put("bootstrap.servers", EmbeddedServices.kafka.bootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        producer = new KafkaProducer<>(props);

        var client = EmbeddedServices.client();
        client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("slack-url").endMetadata()
                .withStringData(Map.of("address", slack.url("/services/T0/B0/X"))).build()).create();
        client.resource(provider("slack", new ProviderSpec("slack", "#ops", null, "https://ignored.invalid/", null, null,
                new LocalObjectReference("slack-url"), null, null))).create();
        client.resource(provider("flaky", new ProviderSpec("slack", null, null, flaky.url("/hook"), null, null, null,
                null, null))).create();
        client.resource(provider("down", new ProviderSpec("slack", null, null, down.url("/hook"), null, null, null,
                null, null))).create();
        client.resource(alert("apps", "slack", "apps")).create();
        client.resource(alert("flaky", "flaky", "retry")).create();
        client.resource(alert("down", "down", "broken")).create();
        client.resource(provider("refusing", new ProviderSpec("slack", null, null, refusing.url("/hook"), null, null,
                null, null, null))).create();
        client.resource(alert("refusing", "refusing", "refused")).create();
        client.resource(provider("twice", new ProviderSpec("slack", null, null, twice.url("/hook"), null, null,
                null, null, null))).create();
        client.resource(alert("twice", "twice", "twice")).create();

        client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("hmac").endMetadata()
                .withStringData(Map.of("token", "k3y", "headers", "X-Team: payments\nX-Env: test\n")).build()).create();
        client.resource(provider("hmac", new ProviderSpec("generic-hmac", null, null, hmac.url("/events"), null, null,
                new LocalObjectReference("hmac"), null, null))).create();
        Alert labelled = new Alert();
        labelled.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("labelled").build());
        labelled.setSpec(new AlertSpec(new LocalObjectReference("hmac"), "error",
                List.of(new AlertSpec.EventSource(null, "Kustomization", "*", null, Map.of("team", "payments"))),
                null, null, null, "Payments", null));
        client.resource(labelled).create();
        kustomization("payments", Map.of("team", "payments"));
        kustomization("web", Map.of("team", "web"));

        client.resource(provider("quiet", new ProviderSpec("slack", null, null, quiet.url("/hook"), null, null, null,
                null, true))).create();
        client.resource(alert("quiet", "quiet", "quiet")).create();
        client.resource(alert("orphan", "missing", "orphan")).create();
        client.resource(provider("held", new ProviderSpec("slack", null, null, held.url("/hook"), "60s", null, null,
                null, null))).create();
        client.resource(alert("held", "held", "held")).create();
        client.resource(provider("pager", new ProviderSpec("pagerduty", null, null, "https://events.pagerduty.com",
                null, null, null, null, null))).create();
        client.resource(provider("nosecret", new ProviderSpec("slack", null, null, null, null, null,
                new LocalObjectReference("absent"), null, null))).create();
    }

    private static void kustomization(String name, Map<String, String> labels) {
        EmbeddedServices.client().genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                .inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
                        .withApiVersion("kustomize.toolkit.fluxcd.io/v1").withKind("Kustomization")
                        .withNewMetadata().withNamespace(NS).withName(name).withLabels(labels).endMetadata()
                        .withAdditionalProperties(Map.of("spec", Map.of("interval", "10m", "path", "./", "prune", true,
                                "sourceRef", Map.of("kind", "GitRepository", "name", "flux-system"))))
                        .build()).create();
    }

    @AfterAll
    static void tearDown() {
        producer.close();
        slack.close();
        flaky.close();
        down.close();
        hmac.close();
        quiet.close();
        held.close();
        refusing.close();
        twice.close();
    }

    private static Provider provider(String name, ProviderSpec spec) {
        Provider p = new Provider();
        p.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        p.setSpec(spec);
        return p;
    }

    private static Alert alert(String name, String provider, String kustomization) {
        Alert a = new Alert();
        a.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        a.setSpec(new AlertSpec(new LocalObjectReference(provider), "info",
                List.of(new AlertSpec.EventSource(null, "Kustomization", kustomization, null, null)), null, null,
                Map.of("cluster", "test"), null, null));
        return a;
    }

    private static FluxEvent event(String name, String message) {
        return new FluxEvent(new FluxEvent.InvolvedObject("Kustomization", NS, name, UUID.randomUUID().toString(),
                "kustomize.toolkit.fluxcd.io/v1", null), "info", "2026-11-21T22:00:00Z", message,
                "ReconciliationSucceeded", Map.of("kustomize.toolkit.fluxcd.io/revision",
                "main@sha1:0123456789abcdef0123456789abcdef01234567"), "conflux-applier", null);
    }

    private static RecordMetadata produce(FluxEvent event) throws Exception {
        return produce("Kustomization/" + NS + "/" + event.involvedObject().name(), event);
    }

    /** Records with the same key are consumed in order: the later one's outcome shows the earlier one is done. */
    private static RecordMetadata produce(String key, FluxEvent event) throws Exception {
        return producer.send(new ProducerRecord<>("conflux.events", key, JSON.writeValueAsString(event))).get();
    }

    private static FluxEvent error(String name, String message) {
        FluxEvent e = event(name, message);
        return new FluxEvent(e.involvedObject(), "error", e.timestamp(), e.message(), "HealthCheckFailed", e.metadata(),
                e.reportingController(), null);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** Whether the notifier's caches hold the Provider (a static object: Flux's v1beta3 has no status to wait for). */
    private boolean known(Class<?> type, String name) {
        return (type == Provider.class ? objects.providers().stream().map(p -> p.getMetadata())
                : objects.alerts().stream().map(a -> a.getMetadata()))
                .anyMatch(m -> NS.equals(m.getNamespace()) && name.equals(m.getName()));
    }

    private List<JsonNode> deliveriesOf(String object) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(deliveriesApi).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(response.body()).forEach(d -> {
                if (d.get("object").asText().equals(object)) {
                    out.add(d);
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(List<JsonNode> deliveries, String status) {
        return deliveries.stream().filter(d -> d.get("status").asText().equals(status)).count();
    }

    /**
     * Issue #13, nothing ignored in silence: a Flux object carrying spec fields Conflux does not act on gets one
     * {@code UnsupportedField} Warning event per generation naming them, published on {@code conflux.events} (so this
     * notifier receives it like any event); a metadata-only change does not report again, a spec change does.
     */
    @Test
    void unsupportedFieldsAreReportedOncePerGenerationOnTheEventsTopic() throws Exception {
        var repositories = EmbeddedServices.client().genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository")
                .inNamespace(NS);
        repositories.resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("source.toolkit.fluxcd.io/v1").withKind("GitRepository")
                .withNewMetadata().withNamespace(NS).withName("submodules").endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("interval", "10m", "url", "https://github.com/acme/app",
                        "ref", Map.of("branch", "main"), "recurseSubmodules", true)))
                .build()).create();
        String object = "GitRepository/" + NS + "/submodules";
        await("the UnsupportedField event of generation 1", () -> unsupportedFieldEvents(object).size() == 1);
        JsonNode first = unsupportedFieldEvents(object).get(0);
        assertThat(first.get("severity").asText()).isEqualTo("error");
        assertThat(first.get("message").asText()).startsWith("Conflux does not act on spec.recurseSubmodules (");

        repositories.withName("submodules").edit(r -> {
            r.getMetadata().setLabels(Map.of("touched", "yes"));
            return r;
        });
        repositories.withName("submodules").edit(r -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = new java.util.LinkedHashMap<>((Map<String, Object>) r.getAdditionalProperties().get("spec"));
            spec.put("sparseCheckout", List.of("deploy"));
            r.getAdditionalProperties().put("spec", spec);
            return r;
        });
        await("the UnsupportedField event of generation 2", () -> unsupportedFieldEvents(object).size() == 2);
        assertThat(unsupportedFieldEvents(object)).extracting(e -> e.get("message").asText())
                .filteredOn(m -> m.contains("spec.sparseCheckout")).hasSize(1)
                .allSatisfy(m -> assertThat(m).contains("spec.recurseSubmodules"));
        assertThat(unsupportedFieldEvents(object)).as("generation 1 (and its label change) reported once")
                .filteredOn(e -> !e.get("message").asText().contains("spec.sparseCheckout")).hasSize(1);
    }

    private List<JsonNode> unsupportedFieldEvents(String object) {
        try {
            HttpResponse<String> events = HttpClient.newHttpClient().send(HttpRequest.newBuilder(eventsApi).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(events.body()).forEach(e -> {
                if (e.get("object").asText().equals(object) && "UnsupportedField".equals(e.get("reason").asText())) {
                    out.add(e);
                }
            });
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Flux's v1beta3 Providers and Alerts are static objects (no status in notification-controller since Flux 2.1):
     * nothing is written on them; one the notifier cannot use — a type it does not deliver to, a missing Secret — is
     * reported as notification-controller does, a {@code Warning} Kubernetes Event on it with reason
     * {@code InvalidConfig} naming the problem (published once on {@code conflux.events}).
     */
    @Test
    void unusableProvidersGetAnInvalidConfigWarningEventAndNoStatus() throws Exception {
        await("Providers and Alerts in the cache", () -> known(Provider.class, "slack") && known(Provider.class, "pager")
                && known(Provider.class, "nosecret") && known(Alert.class, "apps"));
        var events = EmbeddedServices.client().genericKubernetesResources("events.k8s.io/v1", "Event").inNamespace(NS);
        await("the InvalidConfig Events", () -> events.list().getItems().stream()
                .filter(e -> "InvalidConfig".equals(e.getAdditionalProperties().get("reason")))
                .map(NotifierServiceTest::regarding).toList().containsAll(List.of("Provider/pager", "Provider/nosecret")));
        Map<String, Object> pager = invalidConfig(events.list().getItems(), "Provider/pager");
        assertThat(pager).containsEntry("type", "Warning");
        assertThat(pager.get("note").toString()).contains("'pagerduty' is not supported");
        assertThat(invalidConfig(events.list().getItems(), "Provider/nosecret").get("note").toString())
                .isEqualTo("Secret flux-system/absent not found");
        assertThat(events.list().getItems().stream().filter(e -> "InvalidConfig".equals(e.getAdditionalProperties().get("reason")))
                .map(NotifierServiceTest::regarding)).as("usable Providers and Alerts are not reported")
                .doesNotContain("Provider/slack", "Provider/hmac", "Alert/apps", "Alert/labelled");
        Provider slackProvider = EmbeddedServices.client().resources(Provider.class).inNamespace(NS).withName("slack").get();
        assertThat(slackProvider.getStatus()).as("no status on a v1beta3 Provider").isNull();
        assertThat(EmbeddedServices.client().resources(Alert.class).inNamespace(NS).withName("apps").get().getStatus())
                .isNull();
    }

    /**
     * {@code conflux check} lists only current problems (#13): once the Secret a Provider lacked is created — no new
     * generation — the notifier's periodic check finds it usable and deletes its {@code InvalidConfig} Warning Event.
     */
    @Test
    void anInvalidConfigEventIsDeletedOnceTheMissingSecretIsCreated() throws Exception {
        var client = EmbeddedServices.client();
        client.resource(provider("latesecret", new ProviderSpec("slack", null, null, null, null, null,
                new LocalObjectReference("late"), null, null))).create();
        var events = client.genericKubernetesResources("events.k8s.io/v1", "Event").inNamespace(NS);
        try {
            await("the InvalidConfig Event of Provider/latesecret", () -> events.list().getItems().stream()
                    .anyMatch(e -> "InvalidConfig".equals(e.getAdditionalProperties().get("reason"))
                            && regarding(e).equals("Provider/latesecret")));
            assertThat(invalidConfig(events.list().getItems(), "Provider/latesecret").get("note").toString())
                    .isEqualTo("Secret flux-system/late not found");
            client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("late").endMetadata()
                    .addToStringData("address", "https://hooks.slack.com/services/T0/B0/LATE").build()).create();
            await("the InvalidConfig Event of Provider/latesecret deleted", () -> events.list().getItems().stream()
                    .noneMatch(e -> "InvalidConfig".equals(e.getAdditionalProperties().get("reason"))
                            && regarding(e).equals("Provider/latesecret")));
            assertThat(invalidConfig(events.list().getItems(), "Provider/nosecret").get("note").toString())
                    .as("a Provider still unusable keeps its Event").isEqualTo("Secret flux-system/absent not found");
        } finally {
            client.resources(Provider.class).inNamespace(NS).withName("latesecret").delete();
            client.secrets().inNamespace(NS).withName("late").delete();
        }
    }

    private static Map<String, Object> invalidConfig(List<io.fabric8.kubernetes.api.model.GenericKubernetesResource> events,
                                                     String object) {
        return events.stream().filter(e -> "InvalidConfig".equals(e.getAdditionalProperties().get("reason"))
                && regarding(e).equals(object)).findFirst().orElseThrow().getAdditionalProperties();
    }

    @Test
    void theThreeConsumersTogetherOwnEveryPartitionOfTheEventsTopic() throws Exception {
        int partitions;
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                EmbeddedServices.kafka.bootstrapServers()))) {
            partitions = admin.describeTopics(List.of("conflux.events")).allTopicNames().get()
                    .get("conflux.events").partitions().size();
        }
        java.util.Set<Integer> all = java.util.stream.IntStream.range(0, partitions).boxed()
                .collect(java.util.stream.Collectors.toSet());
        // one replica with events$1..events$3: each consumer's assignment adds to the same Ownership
        await("every partition owned", () -> ownership.partitions().equals(all));
        assertThat(partitions).isGreaterThan(1);
        assertThat(ownership.owns("Kustomization/flux-system/apps")).isTrue();
    }

    @Test
    void anEventIsPostedToSlackOnceEvenWhenItComesAgain() throws Exception {
        FluxEvent event = event("apps", "Deployment/default/web configured");
        RecordMetadata first = produce(event);
        await("the Slack message", () -> !slack.requests().isEmpty());
        await("the SENT record", () -> count(deliveriesOf("Kustomization/flux-system/apps"), "SENT") == 1);

        JsonNode body = JSON.readTree(slack.requests().get(0).body());
        assertThat(slack.requests().get(0).path()).as("the Secret's address wins").isEqualTo("/services/T0/B0/X");
        assertThat(body.get("channel").asText()).isEqualTo("#ops");
        assertThat(body.get("username").asText()).isEqualTo("conflux-applier");
        JsonNode attachment = body.get("attachments").get(0);
        assertThat(attachment.get("author_name").asText()).isEqualTo("kustomization/apps.flux-system");
        assertThat(attachment.get("text").asText()).isEqualTo("Deployment/default/web configured");
        Map<String, String> fields = new java.util.TreeMap<>();
        attachment.get("fields").forEach(f -> fields.put(f.get("title").asText(), f.get("value").asText()));
        assertThat(fields).containsExactlyInAnyOrderEntriesOf(Map.of(
                "revision", "main@sha1:0123456789abcdef0123456789abcdef01234567", "cluster", "test"));

        // The same record handled again (a redelivery after a crash before the offset commit) ...
        dispatcher.onEvent(first.partition(), first.offset(), event, new HashSet<>()).await().atMost(PATIENCE);
        // ... and the same event published again (a restarted emitter) are not posted again.
        produce(event);
        await("two DUPLICATE records", () -> count(deliveriesOf("Kustomization/flux-system/apps"), "DUPLICATE") == 2);
        assertThat(slack.requests()).hasSize(1);
        assertThat(count(deliveriesOf("Kustomization/flux-system/apps"), "SENT")).isEqualTo(1);

        HttpResponse<String> events = HttpClient.newHttpClient().send(HttpRequest.newBuilder(eventsApi).build(),
                HttpResponse.BodyHandlers.ofString());
        List<String> messages = new ArrayList<>();
        JSON.readTree(events.body()).forEach(e -> {
            if (e.get("object").asText().equals("Kustomization/flux-system/apps")) {
                messages.add(e.get("message").asText());
            }
        });
        assertThat(messages).as("both Kafka records, the handled-again one once").hasSize(2)
                .containsOnly("Deployment/default/web configured");

        // deliveries are counted by outcome on /q/metrics (conflux_deliveries_total, PipelineMetrics)
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(root.resolve("q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        List<String> deliveries = metrics.body().lines().filter(l -> l.startsWith("conflux_deliveries_total{")).toList();
        assertThat(deliveries).anyMatch(l -> l.contains("outcome=\"SENT\"") && l.contains("provider=\"slack\""));
        assertThat(deliveries).anyMatch(l -> l.contains("outcome=\"DUPLICATE\"") && l.contains("provider=\"slack\""));
    }

    @Test
    void aFailedKustomizationGetsAKubernetesEventOnItselfCountedAsASeriesOnRepeats() throws Exception {
        FluxEvent failed = error("failing", "health check failed after 30s: Deployment/default/web not ready");
        RecordMetadata first = produce(failed);
        var events = EmbeddedServices.client().genericKubernetesResources("events.k8s.io/v1", "Event").inNamespace(NS);
        await("the Kubernetes Event", () -> events.list().getItems().stream()
                .anyMatch(e -> regarding(e).equals("Kustomization/failing")));
        var event = events.list().getItems().stream().filter(e -> regarding(e).equals("Kustomization/failing"))
                .findFirst().orElseThrow();
        Map<String, Object> body = event.getAdditionalProperties();
        assertThat(body).containsEntry("type", "Warning").containsEntry("reason", "HealthCheckFailed")
                .containsEntry("note", "health check failed after 30s: Deployment/default/web not ready")
                .containsEntry("reportingController", "conflux-applier").containsKey("reportingInstance")
                .doesNotContainKey("series");
        assertThat(body.get("eventTime").toString()).startsWith("2026-11-21T22:00:00.000000");
        assertThat(event.getMetadata().getAnnotations())
                .containsEntry("kustomize.toolkit.fluxcd.io/revision", "main@sha1:0123456789abcdef0123456789abcdef01234567");

        // the same record handled again (a redelivery) counts nothing ...
        dispatcher.onEvent(first.partition(), first.offset(), failed, new HashSet<>()).await().atMost(PATIENCE);
        produce(failed);
        // ... the same failure observed later is the second of a series, as client-go's recorder counts repeats
        FluxEvent again = new FluxEvent(failed.involvedObject(), failed.severity(), "2026-11-21T22:05:00Z",
                failed.message(), failed.reason(), failed.metadata(), failed.reportingController(), null);
        produce(again);
        await("the series of two", () -> {
            Object series = events.withName(event.getMetadata().getName()).get().getAdditionalProperties().get("series");
            return series instanceof Map<?, ?> m && Integer.valueOf(2).equals(((Number) m.get("count")).intValue());
        });
        Map<?, ?> series = (Map<?, ?>) events.withName(event.getMetadata().getName()).get().getAdditionalProperties()
                .get("series");
        assertThat(series.get("lastObservedTime").toString()).startsWith("2026-11-21T22:05:00.000000");
        assertThat(events.list().getItems().stream().filter(e -> regarding(e).equals("Kustomization/failing")))
                .as("one Event for the repeated failure").hasSize(1);
    }

    private static String regarding(io.fabric8.kubernetes.api.model.GenericKubernetesResource event) {
        Object regarding = event.getAdditionalProperties().get("regarding");
        return regarding instanceof Map<?, ?> r ? r.get("kind") + "/" + r.get("name") : "";
    }

    @Test
    void serviceUnavailableTwiceThenOkIsOneDeliveryOfThreeAttempts() throws Exception {
        flaky.then(HttpSink.Response.of(503), HttpSink.Response.of(503));
        produce(event("retry", "retried"));
        await("the SENT record", () -> count(deliveriesOf("Kustomization/flux-system/retry"), "SENT") == 1);

        JsonNode delivery = deliveriesOf("Kustomization/flux-system/retry").get(0);
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.get("lastStatus").asInt()).isEqualTo(200);
        assertThat(flaky.requests()).hasSize(3);
    }

    @Test
    void aProviderOutageIsRetriedUntilItEndsAndNeverDeadLettered() throws Exception {
        produce(event("broken", "arrives after the outage"));
        await("the RETRYING record after a whole retry policy", () ->
                count(deliveriesOf("Kustomization/flux-system/broken"), "RETRYING") == 1
                        && deliveriesOf("Kustomization/flux-system/broken").get(0).get("attempts").asInt() >= 3);
        JsonNode waiting = deliveriesOf("Kustomization/flux-system/broken").get(0);
        assertThat(waiting.get("lastError").asText()).contains("HTTP 503");
        assertThat(waiting.get("lastStatus").asInt()).isEqualTo(503);

        down.otherwise(HttpSink.Response.of(200));
        await("the SENT record once the Provider is back",
                () -> count(deliveriesOf("Kustomization/flux-system/broken"), "SENT") == 1);
        List<JsonNode> rows = deliveriesOf("Kustomization/flux-system/broken");
        assertThat(rows).as("one delivery, resumed, no duplicate").hasSize(1);
        assertThat(rows.get(0).get("attempts").asInt()).isGreaterThan(3);
        assertThat(rows.get(0).get("resends").asInt()).isZero();
        assertThat(deadLetters("Kustomization/flux-system/broken")).isEmpty();
    }

    @Test
    void aProviderRefusingTheRequestIsAFailedDeliveryNotRetriedNotDeadLettered() throws Exception {
        produce(event("refused", "forbidden"));
        await("the FAILED record", () -> count(deliveriesOf("Kustomization/flux-system/refused"), "FAILED") == 1);
        JsonNode delivery = deliveriesOf("Kustomization/flux-system/refused").get(0);
        assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.get("lastStatus").asInt()).isEqualTo(403);
        // a later record of the same key is handled: the refused one did not hold the partition
        produce(event("refused", "after the refusal"));
        await("the next event's record", () -> deliveriesOf("Kustomization/flux-system/refused").size() == 2);
        assertThat(refusing.requests()).hasSize(2);
        assertThat(deadLetters("Kustomization/flux-system/refused")).isEmpty();
    }

    @Test
    void theSameEventHandledTwiceAtOnceIsPostedOnceAndCounted() throws Exception {
        FluxEvent event = event("twice", "handled by two consumers at once");
        DeliveryStore.Summary before = summary();
        // two consumers with the same event at the same time (a rebalance, an outbox relayed twice): one posts it,
        // the other waits for it (a transient failure its handler retries, as EventConsumer's Retrying does here)
        java.util.concurrent.CountDownLatch gate = twice.hold();
        var first = dispatcher.onEvent(0, 1_000_000, event, new HashSet<>()).subscribeAsCompletionStage();
        await("the first post", () -> !twice.requests().isEmpty());
        var second = dispatcher.onEvent(1, 1_000_000, event, new HashSet<>()).subscribeAsCompletionStage();
        assertThat(second).failsWithin(PATIENCE).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(io.conflux.notifier.dispatch.NotYetDeliveredException.class);
        gate.countDown();
        first.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        dispatcher.onEvent(1, 1_000_000, event, new HashSet<>()).await().atMost(PATIENCE);

        assertThat(twice.requests()).hasSize(1);
        assertThat(deliveriesOf("Kustomization/flux-system/twice")).extracting(d -> d.get("status").asText())
                .containsExactlyInAnyOrder("SENT", "DUPLICATE");
        DeliveryStore.Summary after = summary();
        assertThat(after.duplicates() - before.duplicates()).isEqualTo(1);
        assertThat(after.sent() - before.sent()).isEqualTo(1);
    }

    private DeliveryStore.Summary summary() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(root.resolve("api/deliveries/summary")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readValue(response.body(), DeliveryStore.Summary.class);
    }

    /** @return the records of {@code conflux.events.dlq} with that key, read from the beginning */
    private static List<ConsumerRecord<String, String>> deadLetters(String key) {
        Properties props = new Properties();
        props.put("bootstrap.servers", EmbeddedServices.kafka.bootstrapServers());
        props.put("group.id", "dlq-reader-" + UUID.randomUUID());
        props.put("auto.offset.reset", "earliest");
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of("conflux.events.dlq"));
            // whatever is in the topic: a few polls past the assignment
            for (int i = 0; i < 15; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        dead.add(r);
                    }
                });
            }
        }
        return dead;
    }

    @Test
    void matchLabelsAreReadFromTheClusterAndGenericHmacUsesTheSecret() throws Exception {
        await("the hmac Provider and Alert in the cache", () -> known(Provider.class, "hmac") && known(Alert.class, "labelled"));
        produce("sync-labels", error("web", "web is unhealthy"));
        produce("sync-labels", error("payments", "payments is unhealthy"));
        await("the generic-hmac post", () -> !hmac.requests().isEmpty());
        await("the SENT record", () -> count(deliveriesOf("Kustomization/flux-system/payments"), "SENT") == 1);

        assertThat(hmac.requests()).as("web has team=web, not payments").hasSize(1);
        HttpSink.Request r = hmac.requests().get(0);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.at("/involvedObject/name").asText()).isEqualTo("payments");
        assertThat(body.at("/metadata/summary").asText()).isEqualTo("Payments");
        assertThat(body.at("/metadata/revision").asText()).isEqualTo("main@sha1:0123456789abcdef0123456789abcdef01234567");
        assertThat(r.header("X-Team")).isEqualTo("payments");
        assertThat(r.header("X-Env")).isEqualTo("test");
        assertThat(r.header("gotk-component")).isEqualTo("conflux-applier");
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("k3y".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(r.header("X-Signature")).isEqualTo("sha256="
                + java.util.HexFormat.of().formatHex(mac.doFinal(r.body().getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aSuspendedProviderIsSkippedAndAMissingOneIsRecordedAsFailed() throws Exception {
        await("the quiet Provider and Alert in the cache", () -> known(Provider.class, "quiet") && known(Alert.class, "orphan"));
        produce("sync-quiet", event("quiet", "nobody listens"));
        produce("sync-quiet", event("orphan", "nobody is there"));
        await("the FAILED record", () -> count(deliveriesOf("Kustomization/flux-system/orphan"), "FAILED") == 1);

        JsonNode orphan = deliveriesOf("Kustomization/flux-system/orphan").get(0);
        assertThat(orphan.get("attempts").asInt()).isZero();
        assertThat(orphan.get("lastError").asText()).contains("flux-system/missing not found");
        assertThat(quiet.requests()).isEmpty();
        assertThat(deliveriesOf("Kustomization/flux-system/quiet")).isEmpty();
    }

    @Test
    void listingsRejectLimitsOutOfRangeAndDefaultWithoutOne() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String bad : List.of("api/deliveries?limit=0", "api/events?limit=1001")) {
            assertThat(http.send(HttpRequest.newBuilder(root.resolve(bad)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).as(bad).isEqualTo(400);
        }
        HttpResponse<String> events = http.send(HttpRequest.newBuilder(root.resolve("api/events")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(events.body()).isArray()).isTrue();
    }

    @Test
    void aProviderThatHangsHoldsBackOnlyItsOwnPartition() throws Exception {
        await("the held Provider and Alert in the cache", () -> known(Provider.class, "held") && known(Alert.class, "held"));
        java.util.concurrent.CountDownLatch gate = held.hold();
        try {
            FluxEvent stuck = event("held", "waiting for a slow service");
            FluxEvent other = event("apps", "another partition");
            other = new FluxEvent(other.involvedObject(), "info", other.timestamp(), "another partition",
                    "ReconciliationSucceeded", Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:" + "b".repeat(40)),
                    other.reportingController(), null);
            producer.send(new ProducerRecord<>("conflux.events", 0, "Kustomization/flux-system/held",
                    JSON.writeValueAsString(stuck))).get();
            await("the held request", () -> !held.requests().isEmpty());
            producer.send(new ProducerRecord<>("conflux.events", 1, "Kustomization/flux-system/apps",
                    JSON.writeValueAsString(other))).get();
            await("the other partition's delivery", () -> deliveriesOf("Kustomization/flux-system/apps").stream()
                    .anyMatch(d -> d.get("message").asText().equals("another partition") && d.get("status").asText().equals("SENT")));
            assertThat(deliveriesOf("Kustomization/flux-system/held")).extracting(d -> d.get("status").asText())
                    .as("still in flight").containsExactly("PENDING");
        } finally {
            gate.countDown();
        }
        await("the held delivery", () -> count(deliveriesOf("Kustomization/flux-system/held"), "SENT") == 1);
    }
}
