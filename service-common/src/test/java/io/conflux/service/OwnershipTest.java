package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.EmbeddedKafka;
import io.conflux.model.meta.ObjectKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ownership against a real broker: the partitioner matches the producer's, the listener follows the group. */
class OwnershipTest {
    private static final int PARTITIONS = 6;

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), PARTITIONS);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    static List<String> keys(int n) {
        return IntStream.range(0, n).mapToObj(i -> "Kustomization/ns-" + (i % 7) + "/app-" + i).toList();
    }

    @Test
    void partitionOfEqualsTheProducersChoice() throws Exception {
        createTopic("ownership-partitioner");
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        Set<Integer> seen = new HashSet<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (String key : keys(200)) {
                int actual = producer.send(new ProducerRecord<>("ownership-partitioner", key, "v")).get().partition();
                assertThat(Ownership.partitionOf(key, PARTITIONS)).as(key).isEqualTo(actual);
                seen.add(actual);
            }
        }
        assertThat(seen).hasSize(PARTITIONS);
    }

    @Test
    void allModeOwnsEverythingAndKafkaModeNothingBeforeAssignment() {
        assertThat(Ownership.everything().owns(new ObjectKey("HelmRelease", "a", "b"))).isTrue();
        Ownership kafkaMode = Ownership.byPartitions();
        assertThat(kafkaMode.owns("Kustomization/a/b")).isFalse();
        kafkaMode.assigned(List.of(Ownership.partitionOf("Kustomization/a/b", PARTITIONS)), PARTITIONS);
        assertThat(kafkaMode.owns("Kustomization/a/b")).isTrue();
    }

    @Test
    void aGroupOfTwoSplitsThePartitionsAndHandsThemOver() throws Exception {
        String topic = "ownership-group";
        createTopic(topic);
        Member first = new Member(topic);
        Member second = new Member(topic);
        try {
            first.subscribe();
            pollUntil(() -> first.ownership.partitions().size() == PARTITIONS, first);
            assertThat(first.resumed).hasSize(1);
            assertThat(keys(100)).allMatch(first.resumed.get(0));

            second.subscribe();
            pollUntil(() -> first.ownership.partitions().size() + second.ownership.partitions().size() == PARTITIONS
                    && !first.ownership.partitions().isEmpty() && !second.ownership.partitions().isEmpty()
                    && first.ownership.partitions().size() < PARTITIONS, first, second);
            Set<Integer> ofFirst = first.ownership.partitions();
            Set<Integer> ofSecond = second.ownership.partitions();
            assertThat(ofFirst).doesNotContainAnyElementsOf(ofSecond);
            for (String key : keys(100)) {
                assertThat(first.ownership.owns(key)).as(key).isNotEqualTo(second.ownership.owns(key));
                // what the first dropped is exactly what the second resumed, and the first keeps what it owns
                boolean droppedByFirst = first.revoked.stream().anyMatch(p -> p.test(key));
                boolean resumedBySecond = second.resumed.stream().anyMatch(p -> p.test(key));
                assertThat(resumedBySecond).as(key).isEqualTo(second.ownership.owns(key));
                if (second.ownership.owns(key)) {
                    assertThat(droppedByFirst).as(key).isTrue();
                }
            }

            second.consumer.close();
            second.closed = true;
            pollUntil(() -> first.ownership.partitions().size() == PARTITIONS, first);
            assertThat(keys(100)).allMatch(first.ownership::owns);
            for (String key : keys(100)) {
                if (ofSecond.contains(Ownership.partitionOf(key, PARTITIONS))) {
                    assertThat(first.resumed.get(first.resumed.size() - 1).test(key)).as(key).isTrue();
                }
            }
        } finally {
            first.consumer.close();
            if (!second.closed) {
                second.consumer.close();
            }
        }
    }

    private static void pollUntil(BooleanSupplier done, Member... members) {
        for (int i = 0; i < 600 && !done.getAsBoolean(); i++) {
            for (Member m : members) {
                m.consumer.poll(Duration.ofMillis(100));
            }
        }
        assertThat(done.getAsBoolean()).as("group settled").isTrue();
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
    }

    /** One replica: a consumer in the group whose rebalances feed an Ownership through the listener. */
    private static final class Member {
        final Ownership ownership = Ownership.byPartitions();
        final OwnershipListener listener = new OwnershipListener(ownership);
        final List<Predicate<String>> resumed = new CopyOnWriteArrayList<>();
        final List<Predicate<String>> revoked = new CopyOnWriteArrayList<>();
        final KafkaConsumer<String, String> consumer;
        final String topic;
        boolean closed;

        Member(String topic) {
            this.topic = topic;
            ownership.onAssigned(resumed::add);
            ownership.onRevoked(revoked::add);
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "ownership-test",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500));
        }

        void subscribe() {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    listener.onPartitionsRevoked(consumer, partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    listener.onPartitionsAssigned(consumer, new ArrayList<>(partitions));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    listener.onPartitionsLost(consumer, partitions);
                }
            });
        }
    }
}
