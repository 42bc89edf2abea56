package io.conflux.cli.dlq;

/**
 * Where a dead letter is stored: a dead-letter topic (with its Kafka topic id, so a topic deleted and created again,
 * whose offsets start over, is told apart), a partition and an offset.
 *
 * @param topic     the dead-letter topic, e.g. {@code conflux.render-results.dlq}
 * @param topicId   the topic's id as Kafka reports it (base64 {@code Uuid}), part of {@link #markerKey()}
 * @param partition the partition, from 0
 * @param offset    the offset in the partition, from 0
 */
public record DeadLetterId(String topic, String topicId, int partition, long offset) {

    /** @return the key of this dead letter's marker in the {@link ReplayLog}: {@code topic/topicId/partition/offset} */
    public String markerKey() {
        return topic + "/" + topicId + "/" + partition + "/" + offset;
    }

    /** @return {@code topic/partition@offset}, as {@code conflux dlq list} prints it and {@code --partition/--offset} select it */
    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
