package io.conflux.notifier.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.EmbeddedPostgres;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.ServiceLauncher;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ProviderSpec;
import io.conflux.model.topic.FluxEvent;
import io.conflux.notifier.deliver.HttpSink;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as the launcher runs it, against a real Kafka,
 * a real PostgreSQL and the in-memory Kubernetes API: it posts an event once, is killed ({@code SIGKILL}) after
 * the delivery is recorded but before its Kafka offset is committed, and — restarted with only the launcher's
 * settings — gets the event again and does not post it a second time.
 */
class CrashRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String NS = "flux-system";
    private static final String OBJECT = "Kustomization/flux-system/apps";

    private Path dir;
    private Path jar;
    private EmbeddedKafka kafka;
    private EmbeddedPostgres postgres;
    private InMemoryKubernetes kube;
    private HttpSink slack;
    private final List<ServiceLauncher> services = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("conflux-notifier-crash");
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        kube.client().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        slack = HttpSink.start();
        jar = copyOfPackagedService();
    }

    @AfterEach
    void stop() {
        services.forEach(ServiceLauncher::close);
        if (slack != null) {
            slack.close();
        }
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

    /** The settings the launcher passes (conflux up, e2e), and nothing else. */
    private Map<String, String> launcherSettings() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.putAll(postgres.quarkusDatasource());
        config.put("quarkus.http.port", "0");
        return config;
    }

    /** Copies the packaged service, so that a concurrent rebuild of the module cannot change it under the test. */
    private Path copyOfPackagedService() throws IOException {
        Path source = Path.of("target", "quarkus-app");
        Path copy = dir.resolve("notifier").resolve("target").resolve("quarkus-app");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return copy.resolve("quarkus-run.jar");
    }

    private ServiceLauncher launch(Map<String, String> config, String log) {
        ServiceLauncher service = ServiceLauncher.start(jar, config,
                Map.of("KUBECONFIG", kube.writeKubeconfig(dir.resolve("kubeconfig")).toString()),
                dir.resolve(log), PATIENCE);
        services.add(service);
        return service;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static boolean ready(ServiceLauncher service) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/health/ready"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static List<String> statuses(ServiceLauncher service) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(service.baseUrl() + "/api/deliveries?limit=100")).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> out = new ArrayList<>();
            for (JsonNode d : JSON.readTree(response.body())) {
                if (d.get("object").asText().equals(OBJECT)) {
                    out.add(d.get("status").asText());
                }
            }
            return out;
        } catch (Exception e) {
            return List.of("unreachable: " + e);
        }
    }

    @Test
    void aDeliveryRecordedBeforeACrashIsNotPostedAgainAfterTheRestart() throws Exception {
        Provider provider = new Provider();
        provider.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("slack").build());
        provider.setSpec(new ProviderSpec("slack", null, null, slack.url("/hook"), null, null, null, null, null));
        kube.client().resource(provider).create();
        Alert alert = new Alert();
        alert.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("all").build());
        alert.setSpec(new AlertSpec(new LocalObjectReference("slack"), "info",
                List.of(new AlertSpec.EventSource(null, "Kustomization", "*", null, null)), null, null, null, null, null));
        kube.client().resource(alert).create();

        // First run: offsets are never committed on their own, so the event is certain to come again after a crash.
        Map<String, String> first = launcherSettings();
        first.put("mp.messaging.incoming.events.auto.commit.interval.ms", "3600000");
        ServiceLauncher service = launch(first, "notifier-1.log");
        // Flux's v1beta3 Alert and Provider have no status: the service is ready once its informers (which listed
        // both, created before it started) have synced
        await("the service ready, its Alert and Provider caches synced", () -> ready(service));

        FluxEvent event = new FluxEvent(new FluxEvent.InvolvedObject("Kustomization", NS, "apps", "u-1",
                "kustomize.toolkit.fluxcd.io/v1", null), "info", "2026-11-21T22:00:00Z", "applied revision main@sha1:abc",
                "ReconciliationSucceeded", Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"),
                "conflux-applier", null);
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>("conflux.events", OBJECT, JSON.writeValueAsString(event))).get();
        }
        await("the Slack message", () -> slack.requests().size() == 1);
        await("the SENT record", () -> statuses(service).equals(List.of("SENT")));

        ProcessHandle.of(service.pid()).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(service.pid()).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());

        // Second run with only the launcher's settings: the uncommitted record is consumed again.
        ServiceLauncher restarted = launch(launcherSettings(), "notifier-2.log");
        await("the redelivered event recognised as sent", () -> statuses(restarted).contains("DUPLICATE"));

        assertThat(slack.requests()).as("posted once across the crash").hasSize(1);
        assertThat(statuses(restarted)).containsExactlyInAnyOrder("SENT", "DUPLICATE");
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(restarted.baseUrl() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
    }
}
