package io.conflux.e2e;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The records the services dead-lettered during a run: every topic whose name contains {@code dlq} (the services'
 * {@code <topic>.dlq}), its records counted as the sum of its partitions' end offsets. A fault-injection run only
 * injects transient faults (kills, restarts) and pushes valid commits, so every dead-lettered record is a transient
 * failure the issue says must be retried instead.
 */
final class DeadLetters {
    private DeadLetters() {
    }

    /**
     * @param bootstrapServers the installation's Kafka
     * @return records per dead-letter topic, by topic name; empty when there is none
     * @throws IllegalStateException when Kafka does not answer within 30 s
     */
    static Map<String, Long> count(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.toLowerCase(java.util.Locale.ROOT).contains("dlq")).collect(Collectors.toSet());
            Map<String, Long> counts = new TreeMap<>();
            if (topics.isEmpty()) {
                return counts;
            }
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(topics).allTopicNames()
                .get(30, TimeUnit.SECONDS).values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, offset) -> counts.merge(tp.topic(), offset.offset(), Long::sum));
            return counts;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting dead-lettered records", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot count dead-lettered records on " + bootstrapServers + ": " + e, e);
        }
    }
}
