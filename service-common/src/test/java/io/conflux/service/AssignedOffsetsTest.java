package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed offsets read at assignment, against a real broker and consumer group. */
class AssignedOffsetsTest {
    private static final String TOPIC = "assigned-offsets";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 2);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    private static KafkaConsumer<String, String> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
    }

    @Test
    void answersTheGroupsCommittedOffsetsOnceEachAndNullWhereThereIsNone() {
        try (KafkaConsumer<String, String> consumer = consumer("assigned-once")) {
            consumer.assign(List.of(P0, P1));
            consumer.commitSync(Map.of(P0, new OffsetAndMetadata(3)));
            AssignedOffsets offsets = new AssignedOffsets();
            offsets.load(consumer, List.of(P0, P1));

            Optional<Map<TopicPartition, OffsetAndMetadata>> p0 = offsets.take(List.of(P0));
            assertThat(p0).isPresent();
            assertThat(p0.get().get(P0).offset()).isEqualTo(3);
            assertThat(offsets.take(List.of(P0))).as("handed out once; the next question goes to Kafka").isEmpty();

            Optional<Map<TopicPartition, OffsetAndMetadata>> p1 = offsets.take(List.of(P1));
            assertThat(p1).isPresent();
            assertThat(p1.get()).containsKey(P1);
            assertThat(p1.get().get(P1)).as("no committed offset, as Kafka answers").isNull();
        }
    }

    @Test
    void aPartitionNotReadOrRevokedIsLeftToKafka() {
        try (KafkaConsumer<String, String> consumer = consumer("assigned-revoked")) {
            consumer.assign(List.of(P0, P1));
            AssignedOffsets offsets = new AssignedOffsets();
            assertThat(offsets.take(List.of(P0))).as("nothing read yet").isEmpty();

            offsets.load(consumer, List.of(P0));
            assertThat(offsets.take(List.of(P0, P1))).as("P1 was not read at an assignment").isEmpty();

            offsets.load(consumer, List.of(P0, P1));
            offsets.forget(List.of(P1));
            assertThat(offsets.take(List.of(P1))).as("revoked").isEmpty();
        }
    }

    @Test
    void aReassignmentReadsTheOffsetCommittedSince() {
        try (KafkaConsumer<String, String> consumer = consumer("assigned-again")) {
            consumer.assign(List.of(P0));
            AssignedOffsets offsets = new AssignedOffsets();
            offsets.load(consumer, List.of(P0));
            consumer.commitSync(Map.of(P0, new OffsetAndMetadata(7)));
            offsets.load(consumer, List.of(P0));

            assertThat(offsets.take(List.of(P0)).orElseThrow().get(P0).offset()).isEqualTo(7);
        }
    }
}
