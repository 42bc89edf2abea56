package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @Test
    void producesAndConsumesOnAnAutoCreatedTopic(@TempDir Path dir) throws Exception {
        RecordMetadata sent;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            Map<String, Object> common = Map.of("bootstrap.servers", kafka.bootstrapServers());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30000), new StringSerializer(), new StringSerializer())) {
                sent = producer.send(new ProducerRecord<>("conflux.test", "key", "hello")).get();
            }
            assertThat(sent.topic()).isEqualTo("conflux.test");

            try (Admin admin = Admin.create(common)) {
                assertThat(admin.describeTopics(Set.of("conflux.test")).allTopicNames().get()
                    .get("conflux.test").partitions()).hasSize(EmbeddedKafka.DEFAULT_PARTITIONS);
                // the log cleaner runs (__consumer_offsets is compacted) with a small buffer instead of 128 MiB of heap
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
                Config config = admin.describeConfigs(Set.of(broker)).all().get().get(broker);
                assertThat(config.get("log.cleaner.dedupe.buffer.size").value())
                    .isEqualTo(Long.toString(EmbeddedKafka.LOG_CLEANER_DEDUPE_BUFFER_BYTES));
                assertThat(config.get("log.cleaner.enable").value()).isEqualTo("true");
            }

            int partition = sent.partition();
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("conflux.test"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
            }
            assertThat(received).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("key");
                assertThat(r.value()).isEqualTo("hello");
                assertThat(r.partition()).isEqualTo(partition);
            });
        }
        // a second start on the same data directory keeps the cluster and its records
        try (EmbeddedKafka again = EmbeddedKafka.start(dir.resolve("kafka"), 1);
             Admin admin = Admin.create(Map.of("bootstrap.servers", again.bootstrapServers()))) {
            assertThat(admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("conflux.test", sent.partition()),
                    org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().values())
                .singleElement().satisfies(o -> assertThat(o.offset()).isEqualTo(sent.offset() + 1));
        }
    }

    @Test
    @SuppressWarnings("try") // close() inside the try is what is tested: a closed broker refuses to start again
    void stopsAndStartsAgainOnTheSamePortKeepingRecordsAndOffsets(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 6)) {
            String bootstrap = kafka.bootstrapServers();
            Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "restart",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            // one producer and one consumer live across the restart, as a service's clients would
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.MAX_BLOCK_MS_CONFIG, 60000,
                     ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120000), new StringSerializer(), new StringSerializer());
                 KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                     new StringDeserializer())) {
                producer.send(new ProducerRecord<>("conflux.restart", "a", "before")).get();
                consumer.subscribe(List.of("conflux.restart"));
                assertThat(pollUntil(consumer, 1)).extracting(ConsumerRecord::value).containsExactly("before");
                consumer.commitSync();

                kafka.stop();
                assertThat(kafka.isRunning()).isFalse();
                kafka.stop();
                kafka.startAgain();
                kafka.startAgain();
                assertThat(kafka.isRunning()).isTrue();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);

                producer.send(new ProducerRecord<>("conflux.restart", "a", "after")).get();
                // the committed offset survived: only the new record is delivered
                assertThat(pollUntil(consumer, 1)).extracting(ConsumerRecord::value).containsExactly("after");
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                assertThat(admin.describeTopics(Set.of("conflux.restart")).allTopicNames().get()
                    .get("conflux.restart").partitions()).hasSize(6);
            }
            kafka.close();
            assertThat(kafka.isRunning()).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(kafka::startAgain)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    /** Polls until {@code count} records arrived (or 60 s passed; the caller's assertion then fails). */
    private static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        return received;
    }
}
