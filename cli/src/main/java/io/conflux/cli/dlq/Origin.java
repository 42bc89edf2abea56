package io.conflux.cli.dlq;

/**
 * Where a dead letter was consumed from before its handler failed, from the {@link DeadLetterHeaders#TOPIC},
 * {@link DeadLetterHeaders#PARTITION} and {@link DeadLetterHeaders#OFFSET} headers.
 *
 * @param topic     the original topic, e.g. {@code conflux.render-results}
 * @param partition its partition
 * @param offset    its offset
 */
public record Origin(String topic, int partition, long offset) {

    /** @return {@code topic/partition@offset} */
    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
