package io.conflux.cli.dlq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One record of a dead-letter topic, as SmallRye's {@code dead-letter-queue} failure strategy wrote it: the failed
 * record's key and value (bytes as they were, never decoded here), where it came from and why it failed.
 *
 * @param id             where the dead letter is stored
 * @param timestamp      the dead letter's record timestamp (when it was dead-lettered, producer time)
 * @param key            the key's bytes (a Conflux key is the UTF-8 of an {@code ObjectKey}), null when it had none
 * @param value          the value's bytes (JSON; may hold secrets: printed only on request), null for a tombstone
 * @param origin         the original topic, partition and offset; null when the headers lack them or do not parse
 * @param exceptionClass class name of the failure, null when not recorded
 * @param reason         message of the failure, null when not recorded
 * @param causeClass     class name of the failure's cause, null when it had none
 * @param cause          message of the failure's cause, null when it had none
 * @param carriedHeaders the original record's own headers the connector copied (every header not starting with
 *                       {@link DeadLetterHeaders#PREFIX}), in order; a replay sends them again
 */
public record DeadLetter(DeadLetterId id, Instant timestamp, byte[] key, byte[] value, Origin origin,
                         String exceptionClass, String reason, String causeClass, String cause,
                         List<Header> carriedHeaders) {

    /** Copies the header list, so the record does not change with the consumer's. */
    public DeadLetter {
        carriedHeaders = List.copyOf(carriedHeaders);
    }

    /**
     * Reads a consumed dead-letter record.
     *
     * @param record  the record of the dead-letter topic
     * @param topicId the topic's Kafka id
     * @return the dead letter; a missing or malformed header leaves its field null, never fails
     */
    public static DeadLetter of(ConsumerRecord<byte[], byte[]> record, String topicId) {
        List<Header> carried = new ArrayList<>();
        for (Header h : record.headers()) {
            if (!h.key().startsWith(DeadLetterHeaders.PREFIX)) {
                carried.add(h);
            }
        }
        return new DeadLetter(new DeadLetterId(record.topic(), topicId, record.partition(), record.offset()),
                Instant.ofEpochMilli(record.timestamp()), record.key(), record.value(), origin(record),
                header(record, DeadLetterHeaders.EXCEPTION_CLASS_NAME), header(record, DeadLetterHeaders.REASON),
                header(record, DeadLetterHeaders.CAUSE_CLASS_NAME), header(record, DeadLetterHeaders.CAUSE), carried);
    }

    /** @return the key as UTF-8 text, null when the record had none */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    private static Origin origin(ConsumerRecord<byte[], byte[]> record) {
        String topic = header(record, DeadLetterHeaders.TOPIC);
        String partition = header(record, DeadLetterHeaders.PARTITION);
        String offset = header(record, DeadLetterHeaders.OFFSET);
        if (topic == null || topic.isEmpty() || partition == null || offset == null) {
            return null;
        }
        try {
            return new Origin(topic, Integer.parseInt(partition.strip()), Long.parseLong(offset.strip()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return the last value of the header as UTF-8, null when absent */
    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
