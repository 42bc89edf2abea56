package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
}
