package io.conflux.cli.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Which dead letters were replayed: a marker per replayed dead letter in the compacted topic {@value #TOPIC} (one
 * partition), keyed by {@link DeadLetterId#markerKey()} (dead-letter topic, its topic id, partition, offset), valued
 * {@code {"replayedAt":"<ISO-8601>","to":"<topic>/<partition>@<offset>"}}. Markers rather than a consumer group's
 * committed offsets, because a replay may pick single dead letters ({@code --key}, {@code --partition/--offset}) out
 * of the middle of a partition, which one committed offset per partition cannot say. A marker is written only after
 * Kafka acknowledged the replayed record ({@code acks=all}), so a replay interrupted between the two sends that dead
 * letter again next time (at least once, like every Conflux consumer expects). Two replays run at the same time may
 * both send a dead letter: replays are an operator's command, run one at a time.
 */
public final class ReplayLog {
    /** The marker topic; its name does not end with {@code .dlq}, so it is never listed as a dead-letter topic. */
    public static final String TOPIC = "conflux.dlq.replayed";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A marker: when a dead letter was replayed and where the replayed record went.
     *
     * @param replayedAt when Kafka acknowledged the replayed record (this machine's clock)
     * @param to         {@code topic/partition@offset} of the replayed record
     */
    public record Mark(Instant replayedAt, String to) {
    }

    private final KafkaAccess kafka;

    /** @param kafka the cluster holding the dead letters */
    public ReplayLog(KafkaAccess kafka) {
        this.kafka = kafka;
    }

    /**
     * @param admin an admin client of the cluster
     * @return the markers, by {@link DeadLetterId#markerKey()}; empty when the topic does not exist yet
     * @throws DlqException when Kafka does not answer
     */
    public Map<String, Mark> read(Admin admin) {
        Map<String, Mark> marks = new HashMap<>();
        Optional<TopicDescription> topic = describe(admin);
        if (topic.isEmpty()) {
            return marks;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        topic.get().partitions().forEach(p -> partitions.add(new TopicPartition(TOPIC, p.partition())));
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            TopicScan.read(consumer, partitions, Long.MAX_VALUE, kafka.timeout(), record -> {
                if (record.key() == null) {
                    return;
                }
                String key = new String(record.key(), StandardCharsets.UTF_8);
                if (record.value() == null) {
                    marks.remove(key);
                    return;
                }
                try {
                    JsonNode v = JSON.readTree(record.value());
                    marks.put(key, new Mark(Instant.parse(v.path("replayedAt").asText()), v.path("to").asText()));
                } catch (IOException | RuntimeException malformed) {
                    // a marker that does not parse still says the dead letter was replayed
                    marks.put(key, new Mark(Instant.ofEpochMilli(record.timestamp()), "?"));
                }
            });
        } catch (KafkaException e) {
            throw kafka.failure("reading " + TOPIC, e);
        }
        return marks;
    }

    /**
     * Creates the marker topic if missing: one partition, {@code cleanup.policy=compact}, replication factor the
     * broker's default.
     *
     * @throws DlqException when Kafka refuses or does not answer
     */
    public void ensureTopic(Admin admin) {
        NewTopic topic = new NewTopic(TOPIC, Optional.of(1), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw kafka.failure("creating " + TOPIC, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DlqException("interrupted while creating " + TOPIC, e);
        }
    }

    /**
     * Records that {@code letter} was replayed as {@code sent}; waits for Kafka's acknowledgement ({@code acks=all}).
     *
     * @return the marker written
     * @throws DlqException when the marker is not acknowledged within the timeout
     */
    public Mark record(KafkaProducer<byte[], byte[]> producer, DeadLetterId letter, RecordMetadata sent) {
        Mark mark = new Mark(Instant.now(), sent.topic() + "/" + sent.partition() + "@" + sent.offset());
        Map<String, String> value = new LinkedHashMap<>();
        value.put("replayedAt", mark.replayedAt().toString());
        value.put("to", mark.to());
        try {
            producer.send(new ProducerRecord<>(TOPIC, letter.markerKey().getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(value))).get();
            return mark;
        } catch (ExecutionException e) {
            throw kafka.failure("recording " + letter + " as replayed (it was sent to " + mark.to()
                    + "; a later replay sends it again)", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DlqException("interrupted while recording " + letter + " as replayed", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a marker as JSON", e);
        }
    }

    private Optional<TopicDescription> describe(Admin admin) {
        var names = kafka.await(admin.listTopics().names(), "listing topics");
        if (!names.contains(TOPIC)) {
            return Optional.empty();
        }
        return Optional.of(kafka.await(admin.describeTopics(List.of(TOPIC)).allTopicNames(), "describing " + TOPIC).get(TOPIC));
    }
}
