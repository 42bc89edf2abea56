package io.conflux.cli.dlq;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
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
    /** Dead letters in the order they are printed and replayed: by topic, partition and offset. */
    public static final Comparator<DeadLetter> ORDER = Comparator.comparing((DeadLetter d) -> d.id().topic())
            .thenComparingInt(d -> d.id().partition()).thenComparingLong(d -> d.id().offset());

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
     * @return the dead-letter topics (name, id, partitions), by name; empty when there is none
     * @throws DlqException when {@code topic} does not exist, is not a dead-letter topic, or Kafka does not answer
     */
    public List<TopicDescription> topics(String topic) {
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
            return List.of();
        }
        Map<String, TopicDescription> described = kafka.await(admin.describeTopics(dlqs).allTopicNames(), "describing " + dlqs);
        return dlqs.stream().map(described::get).toList();
    }

    /**
     * Reads the dead letters of the topics.
     *
     * @param topics           the topics, as {@link #topics(String)} gives them
     * @param lastPerPartition how many of each partition's last records to read ({@link Long#MAX_VALUE}: all)
     * @return the dead letters, in {@link #ORDER}
     * @throws DlqException when Kafka does not answer, or a partition makes no progress within the timeout
     */
    public List<DeadLetter> read(List<TopicDescription> topics, long lastPerPartition) {
        List<DeadLetter> letters = new ArrayList<>();
        if (topics.isEmpty()) {
            return letters;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach(d -> d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
        Map<String, String> ids = new java.util.HashMap<>();
        topics.forEach(d -> ids.put(d.name(), d.topicId().toString()));
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            TopicScan.read(consumer, partitions, lastPerPartition, kafka.timeout(),
                    record -> letters.add(DeadLetter.of(record, ids.get(record.topic()))));
        } catch (KafkaException e) {
            throw kafka.failure("reading " + ids.keySet(), e);
        }
        letters.sort(ORDER);
        return letters;
    }

    /**
     * @param letters dead letters
     * @param limit   how many to keep, at least 1
     * @return the {@code limit} most recent of them (by timestamp, then offset), in {@link #ORDER}
     */
    public static List<DeadLetter> newest(List<DeadLetter> letters, int limit) {
        return letters.stream()
                .sorted(Comparator.comparing(DeadLetter::timestamp).thenComparingLong(d -> d.id().offset()).reversed())
                .limit(limit).sorted(ORDER).toList();
    }
}
