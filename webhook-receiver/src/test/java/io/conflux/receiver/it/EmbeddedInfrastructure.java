package io.conflux.receiver.it;

import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.EmbeddedPostgres;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Real infrastructure for the receiver's Quarkus tests, in process: a KRaft Kafka broker, PostgreSQL from Maven
 * binaries, and an in-memory Kubernetes API with Conflux's CRDs. A local directory stands in for
 * {@code https://github.com/} through {@code conflux.git.url-rewrites}. One instance serves every {@code @QuarkusTest}
 * class of the module (they share one application: a restarted test application keeps the first one's Kubernetes
 * API URL), so each class names its objects apart.
 */
public class EmbeddedInfrastructure implements QuarkusTestResourceLifecycleManager {
    static EmbeddedKafka kafka;
    static EmbeddedPostgres postgres;
    static InMemoryKubernetes kube;
    static Path dir;
    /** Where {@code https://github.com/<path>} is listed from. */
    static Path github;
    /** The control API's bearer token, written to the file {@code conflux.receiver.control-token-file} names. */
    static final String CONTROL_TOKEN = "control-" + java.util.UUID.randomUUID();

    // what this instance started: another test class's instance may have replaced the static fields meanwhile, and
    // its infrastructure must not be closed by this one's stop()
    private EmbeddedKafka ownKafka;
    private EmbeddedPostgres ownPostgres;
    private InMemoryKubernetes ownKube;
    private Path ownDir;

    @Override
    public Map<String, String> start() {
        try {
            dir = Files.createTempDirectory("conflux-receiver-it");
            github = Files.createDirectories(dir.resolve("github.com"));
            Files.writeString(dir.resolve("control-token"), CONTROL_TOKEN + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kafka = ownKafka = EmbeddedKafka.start(dir.resolve("kafka"));
        postgres = ownPostgres = EmbeddedPostgres.start(dir.resolve("postgres"));
        kube = ownKube = InMemoryKubernetes.start();
        ownDir = dir;
        kube.installCrds(Path.of("..", "deploy", "crds"));
        // wt-oci: OCIRepository and Bucket, until deploy/crds ships them
        kube.installCrds(Path.of("..", "artifacts", "src", "test", "resources", "crds"));
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.putAll(postgres.quarkusDatasource());
        config.put("quarkus.kubernetes-client.api-server-url", kube.url());
        config.put("quarkus.http.test-port", String.valueOf(Ports.freePort()));
        // a long refill period, so the rate-limit test's burst cannot be refilled while it runs
        config.put("conflux.receiver.rate-limit.period", "1h");
        config.put("quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
        config.put("conflux.git.url-rewrites.\"https://github.com/\"", github.toUri().toString());
        config.put("conflux.receiver.control-token-file", dir.resolve("control-token").toString());
        // transient failures retried quickly (the handler's Retrying, status patches)
        config.put("conflux.retry.initial-backoff", "0.1S");
        config.put("conflux.retry.max-backoff", "1S");
        return config;
    }

    @Override
    public void stop() {
        if (ownKube != null) {
            ownKube.close();
        }
        if (ownKafka != null) {
            ownKafka.close();
        }
        if (ownPostgres != null) {
            ownPostgres.close();
        }
        if (ownDir != null) {
            try (Stream<Path> files = Files.walk(ownDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp directory
            }
        }
    }

    /**
     * @param topic a Kafka topic of the embedded broker
     * @return every record on the topic up to its current end, read from the beginning by a consumer of no group
     */
    public static List<ConsumerRecord<String, String>> records(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
