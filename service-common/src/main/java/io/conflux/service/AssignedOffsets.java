package io.conflux.service;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * The consumer group's committed offsets of the partitions just assigned to one consumer, read once on its polling
 * thread when they are assigned ({@link #load}) and handed out once, to the first question about them ({@link #take}).
 * An assigned partition's committed offset cannot change before its first record reaches this consumer: the previous
 * owner committed before the rebalance ended, and this consumer commits only offsets of records it received. A
 * partition assigned again is read again; one revoked is forgotten. What could not be read is not kept, and the
 * question then goes to Kafka as before.
 */
public final class AssignedOffsets {
    private static final Logger LOG = Logger.getLogger(AssignedOffsets.class);

    /** Per partition: its committed offset, empty when the group has none. */
    private final Map<TopicPartition, Optional<OffsetAndMetadata>> offsets = new ConcurrentHashMap<>();

    /**
     * Reads the committed offsets of {@code partitions} (blocking: one {@code OffsetFetch} to the group coordinator,
     * bounded by the consumer's {@code default.api.timeout.ms}); call on the consumer's polling thread, as a rebalance
     * listener is. A failure is logged and leaves the partitions unknown.
     *
     * @param consumer   the consumer the partitions were assigned to
     * @param partitions the newly assigned partitions
     */
    public void load(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        forget(partitions);
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = consumer.committed(new HashSet<>(partitions));
        } catch (KafkaException e) {
            LOG.debugf("committed offsets of %s not read at assignment, read at their first record: %s", partitions, e);
            return;
        }
        for (TopicPartition partition : partitions) {
            offsets.put(partition, Optional.ofNullable(committed == null ? null : committed.get(partition)));
        }
    }

    /**
     * @param partitions partitions asked about
     * @return their committed offsets (a partition without one maps to null, as Kafka's {@code committed} answers)
     *         when all were read at their assignment and not handed out yet, which they no longer are; otherwise empty
     */
    public Optional<Map<TopicPartition, OffsetAndMetadata>> take(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty() || !offsets.keySet().containsAll(partitions)) {
            return Optional.empty();
        }
        Map<TopicPartition, OffsetAndMetadata> answer = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Optional<OffsetAndMetadata> offset = offsets.remove(partition);
            if (offset == null) {
                return Optional.empty(); // forgotten meanwhile (revoked): ask Kafka
            }
            answer.put(partition, offset.orElse(null));
        }
        return Optional.of(answer);
    }

    /** Forgets revoked (or lost) partitions. */
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(offsets::remove);
    }
}
