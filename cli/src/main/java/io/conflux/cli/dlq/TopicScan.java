package io.conflux.cli.dlq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads partitions once, up to their end offsets as of the start (records written meanwhile are left for the next
 * run), with a consumer assigned by hand: no group, nothing committed. Shared by the {@link DeadLetterReader} and the
 * {@link ReplayLog}.
 */
final class TopicScan {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicScan() {
    }

    /**
     * Hands each record of {@code partitions} from {@code max(beginning, end - last)} up to the end offset to
     * {@code sink}, in offset order within a partition.
     *
     * @param consumer   a consumer without a group, {@code auto.offset.reset=none} (a lost position fails rather than
     *                   skipping to the end); its assignment is replaced
     * @param last       how many of each partition's last offsets to read ({@link Long#MAX_VALUE}: all)
     * @param noProgress how long the positions may stand still before giving up
     * @throws DlqException when the positions make no progress for {@code noProgress}
     */
    static void read(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, long last,
                     Duration noProgress, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> from = new HashMap<>();
        for (TopicPartition p : partitions) {
            long start = last == Long.MAX_VALUE ? begin.get(p) : Math.max(begin.get(p), end.get(p) - last);
            if (start < end.get(p)) {
                from.put(p, start);
            }
        }
        List<TopicPartition> open = new ArrayList<>(from.keySet());
        consumer.assign(open);
        from.forEach(consumer::seek);
        long progressAt = System.nanoTime();
        Map<TopicPartition, Long> positions = new HashMap<>();
        while (!open.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
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
