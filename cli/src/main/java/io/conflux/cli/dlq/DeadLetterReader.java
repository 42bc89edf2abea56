package io.conflux.cli.dlq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads Conflux's dead-letter topics: every topic whose name ends with {@value #SUFFIX} (the services' convention,
 * {@code <topic>.dlq}: {@code conflux.source-revisions.dlq}, {@code conflux.render-results.dlq},
 * {@code conflux.events.dlq}, {@code conflux.reconcile-requests.dlq}). Reading commits nothing and joins no group.
 */
public final class DeadLetterReader {
    /** The suffix of a dead-letter topic's name. */
    public static final String SUFFIX = ".dlq";

    private final KafkaAccess kafka;
    private final Admin admin;

    /**
     * @param kafka the cluster
     * @param admin an admin client of it, which the caller closes
     */
    public DeadLetterReader(KafkaAccess kafka, Admin admin) {
        this.kafka = kafka;
        this.admin = admin;
    }

    /**
     * @param topic a dead-letter topic to read, or null for all of them
     * @return the dead-letter topics and their Kafka topic ids, by name
     * @throws DlqException when {@code topic} does not exist, is not a dead-letter topic, or Kafka does not answer
     */
    public Map<String, String> topics(String topic) {
        Set<String> names = new TreeSet<>(kafka.await(admin.listTopics(new ListTopicsOptions().listInternal(false)).names(),
                "listing topics"));
        Set<String> dlqs = new TreeSet<>(names.stream().filter(n -> n.endsWith(SUFFIX)).toList());
        if (topic != null) {
            if (!topic.endsWith(SUFFIX)) {
                throw new DlqException("not a dead-letter topic: " + topic + " (their names end with " + SUFFIX + ")");
            }
            if (!names.contains(topic)) {
                throw new DlqException("no topic " + topic + " on Kafka at " + kafka.bootstrapServers()
                        + " (dead-letter topics there: " + (dlqs.isEmpty() ? "none" : String.join(", ", dlqs)) + ")");
            }
            dlqs = Set.of(topic);
        }
        if (dlqs.isEmpty()) {
            return Map.of();
        }
        Map<String, TopicDescription> described = kafka.await(admin.describeTopics(dlqs).allTopicNames(), "describing " + dlqs);
        Map<String, String> ids = new LinkedHashMap<>();
        for (String name : dlqs) {
            ids.put(name, described.get(name).topicId().toString());
        }
        return ids;
    }

    /**
     * Reads the dead letters of the topics, oldest first in each partition.
     *
     * @param topics        the topics and their ids, as {@link #topics(String)} gives them
     * @param lastPerPartition how many of each partition's last records to read ({@link Long#MAX_VALUE}: all)
     * @return the dead letters, ordered by topic, partition and offset
     * @throws DlqException when Kafka does not answer, or a partition makes no progress within the timeout
     */
    public List<DeadLetter> read(Map<String, String> topics, long lastPerPartition) {
        List<DeadLetter> letters = new ArrayList<>();
        if (topics.isEmpty()) {
            return letters;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            Map<String, TopicDescription> described = kafka.await(admin.describeTopics(topics.keySet()).allTopicNames(),
                    "describing " + topics.keySet());
            described.values().forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
            readPartitions(consumer, partitions, lastPerPartition, kafka.timeout(),
                    record -> letters.add(DeadLetter.of(record, topics.get(record.topic()))));
        } catch (KafkaException e) {
            throw kafka.failure("reading " + topics.keySet(), e);
        }
        letters.sort(Comparator.comparing((DeadLetter d) -> d.id().topic()).thenComparingInt(d -> d.id().partition())
                .thenComparingLong(d -> d.id().offset()));
        return letters;
    }

    /**
     * Reads the given partitions from {@code max(beginning, end - last)} up to their end offsets as of now, handing each
     * record to {@code sink}; shared with the {@link ReplayLog}.
     *
     * @param noProgress how long the positions may stand still before giving up
     * @throws DlqException when the positions make no progress for {@code noProgress}
     */
    static void readPartitions(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, long last,
                               Duration noProgress, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<TopicPartition> open = new ArrayList<>();
        for (TopicPartition p : partitions) {
            long from = last == Long.MAX_VALUE ? begin.get(p) : Math.max(begin.get(p), end.get(p) - last);
            if (from < end.get(p)) {
                consumer.seek(p, from);
                open.add(p);
            }
        }
        consumer.assign(open);
        long progressAt = System.nanoTime();
        Map<TopicPartition, Long> positions = new java.util.HashMap<>();
        while (!open.isEmpty()) {
            var records = consumer.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    sink.accept(r);
                }
            }
            boolean progressed = false;
            for (TopicPartition p : List.copyOf(open)) {
                long position = consumer.position(p);
                progressed |= !Long.valueOf(position).equals(positions.put(p, position));
                if (position >= end.get(p)) {
                    open.remove(p);
                }
            }
            if (progressed) {
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > noProgress.toNanos()) {
                throw new DlqException("no progress reading " + open + " for " + noProgress.toSeconds() + "s");
            }
        }
    }
}
