package io.conflux.service;

import io.quarkus.arc.Unremovable;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Feeds {@link Ownership} from the consumer group of the service's ownership channel. Wire it on exactly one
 * incoming channel: {@code mp.messaging.incoming.<channel>.consumer-rebalance-listener.name=conflux-ownership}.
 * Called on the Kafka polling thread; callbacks registered on {@link Ownership} run there too, so they must only
 * schedule work, not do it. Unremovable: SmallRye looks it up by its identifier at run time only.
 */
@ApplicationScoped
@Unremovable
@Identifier(OwnershipListener.NAME)
public class OwnershipListener implements KafkaConsumerRebalanceListener {
    /** The identifier to name in {@code consumer-rebalance-listener.name}. */
    public static final String NAME = "conflux-ownership";

    @Inject
    Ownership ownership;

    /** For CDI. */
    public OwnershipListener() {
    }

    /** For code built by hand (tests): feeds {@code ownership}. */
    public OwnershipListener(Ownership ownership) {
        this.ownership = ownership;
    }

    /** Adds the newly assigned partitions; the partition count is read from the consumer's metadata. */
    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        String topic = partitions.iterator().next().topic();
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        ownership.assigned(partitions.stream().map(TopicPartition::partition).toList(), infos.size());
    }

    /** Removes the revoked partitions (their keys' timers are dropped by the services' callbacks). */
    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ownership.revoked(partitions.stream().map(TopicPartition::partition).toList());
    }

    /** Lost partitions (session expired) are no longer owned, as revoked ones. */
    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ownership.revoked(partitions.stream().map(TopicPartition::partition).toList());
    }
}
