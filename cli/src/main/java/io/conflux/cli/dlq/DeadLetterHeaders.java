package io.conflux.cli.dlq;

/**
 * The record headers SmallRye Reactive Messaging's Kafka connector writes on a dead letter (its
 * {@code dead-letter-queue} failure strategy, {@code io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue},
 * 4.x, the version Quarkus 3.29 brings). Every value is a UTF-8 string; the cause headers are present only when the
 * failure had a cause. The connector also copies the original record's own headers onto the dead letter.
 */
public final class DeadLetterHeaders {
    private DeadLetterHeaders() {
    }

    /** The prefix shared by the connector's headers: a replay drops every header that starts with it. */
    public static final String PREFIX = "dead-letter-";
    /** Fully qualified class name of the failure, e.g. {@code java.lang.IllegalArgumentException}. */
    public static final String EXCEPTION_CLASS_NAME = "dead-letter-exception-class-name";
    /** The failure's message (its {@code toString()} when it has none). */
    public static final String REASON = "dead-letter-reason";
    /** Fully qualified class name of the failure's cause. */
    public static final String CAUSE_CLASS_NAME = "dead-letter-cause-class-name";
    /** The cause's message (its {@code toString()} when it has none). */
    public static final String CAUSE = "dead-letter-cause";
    /** Topic the failed record was consumed from. */
    public static final String TOPIC = "dead-letter-topic";
    /** Partition of the failed record, decimal. */
    public static final String PARTITION = "dead-letter-partition";
    /** Offset of the failed record, decimal. */
    public static final String OFFSET = "dead-letter-offset";
    /**
     * Conflux's own header on a replayed record: the dead letter it came from, {@code <dlq topic>/<partition>@<offset>}
     * (so a consumer's log, or a second dead letter of it, tells it was replayed).
     */
    public static final String REPLAYED_FROM = "conflux-dlq-replayed-from";
}
