package io.conflux.cli.dlq;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends dead letters back to their original topic, one at a time: the dead letter's key and value bytes unchanged,
 * its carried headers (the original record's own) plus {@link DeadLetterHeaders#REPLAYED_FROM}, no partition (Kafka's
 * default partitioner places the key as it placed the original), {@code acks=all}; once Kafka acknowledged it, the
 * {@link ReplayLog} marker. Closing closes the producer.
 */
public final class Replayer implements AutoCloseable {

    /**
     * One dead letter sent back.
     *
     * @param letter the dead letter
     * @param sent   where the replayed record went
     * @param mark   its marker
     */
    public record Replayed(DeadLetter letter, RecordMetadata sent, ReplayLog.Mark mark) {
    }

    private final KafkaAccess kafka;
    private final ReplayLog log;
    private final KafkaProducer<byte[], byte[]> producer;

    /**
     * @param kafka the cluster (a producer is opened at once)
     * @param log   where replays are recorded; its topic must exist ({@link ReplayLog#ensureTopic})
     */
    public Replayer(KafkaAccess kafka, ReplayLog log) {
        this.kafka = kafka;
        this.log = log;
        this.producer = kafka.producer();
    }

    /**
     * Sends {@code letter} to its {@link DeadLetter#origin()} topic and records it as replayed.
     *
     * @param letter a dead letter from a {@link ReplayPlan#send()} (its origin is set)
     * @return where it went
     * @throws DlqException when Kafka does not acknowledge the record or its marker within the timeout
     */
    public Replayed replay(DeadLetter letter) {
        RecordHeaders headers = new RecordHeaders();
        letter.carriedHeaders().forEach(headers::add);
        headers.add(DeadLetterHeaders.REPLAYED_FROM, letter.id().toString().getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(letter.origin().topic(), null, letter.key(),
                letter.value(), headers);
        RecordMetadata sent;
        try {
            sent = producer.send(record).get();
        } catch (ExecutionException e) {
            throw kafka.failure("replaying " + letter.id() + " to " + letter.origin().topic(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DlqException("interrupted while replaying " + letter.id(), e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw kafka.failure("replaying " + letter.id() + " to " + letter.origin().topic(), e);
        }
        return new Replayed(letter, sent, log.record(producer, letter.id(), sent));
    }

    @Override
    public void close() {
        producer.close(kafka.timeout());
    }
}
