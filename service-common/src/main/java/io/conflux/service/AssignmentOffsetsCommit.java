package io.conflux.service;

import io.quarkus.arc.Unremovable;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.ContextHolder;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import io.smallrye.reactive.messaging.kafka.commit.KafkaThrottledLatestProcessedCommit;
import io.vertx.core.Context;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * SmallRye's {@code throttled} commit strategy (at-least-once: the offset after the latest record processed in
 * sequence is committed every {@code auto.commit.interval.ms}; the channel is unhealthy while a record waits longer
 * than {@code throttled.unprocessed-record-max-age.ms}), unchanged but for one thing: the group's committed offsets of
 * a consumer's partitions are read when they are assigned ({@link AssignedOffsets}, on the polling thread) instead of
 * when each partition's first record arrives.
 *
 * <p>Why: the throttled strategy asks for a partition's committed offset when its first record since the assignment
 * arrives, and that question runs on the consumer's polling thread, queued behind the poll in progress, so the
 * first record of every partition after a start or a rebalance waited out one {@code poll-timeout} (SmallRye's
 * default 1 s; 100 ms on the push's channels) plus an {@code OffsetFetch}: issue #17's first push after
 * {@code conflux up} (bench/README.md, push latency). Here that question is answered from what was read at the
 * assignment; any other (a partition assigned before the read failed, a second question) still goes to Kafka.
 *
 * <p>Selected for every incoming Kafka channel of a service by
 * {@code mp.messaging.connector.smallrye-kafka.commit-strategy=throttled-assigned} (or for one channel by
 * {@code mp.messaging.incoming.<channel>.commit-strategy}); the four services set it.
 */
public final class AssignmentOffsetsCommit extends ContextHolder implements KafkaCommitHandler {
    /** The identifier to name in {@code commit-strategy}. */
    public static final String NAME = "throttled-assigned";

    private final KafkaThrottledLatestProcessedCommit throttled;
    private final KafkaConsumer<?, ?> consumer;
    private final AssignedOffsets offsets;

    private AssignmentOffsetsCommit(Vertx vertx, KafkaThrottledLatestProcessedCommit throttled,
                                    KafkaConsumer<?, ?> consumer, AssignedOffsets offsets) {
        super(vertx, throttled.getTimeoutInMillis());
        this.throttled = throttled;
        this.consumer = consumer;
        this.offsets = offsets;
    }

    /** Creates the strategy for a channel; SmallRye looks it up by {@link #NAME} at run time only. */
    @ApplicationScoped
    @Unremovable
    @Identifier(NAME)
    public static class Factory implements KafkaCommitHandler.Factory {
        private final KafkaThrottledLatestProcessedCommit.Factory throttled =
                new KafkaThrottledLatestProcessedCommit.Factory();

        /** For CDI. */
        public Factory() {
        }

        /**
         * @return SmallRye's throttled strategy for the channel (its own settings apply), over a view of
         *         {@code consumer} that answers committed-offset questions from what was read at the assignment
         */
        @Override
        public KafkaCommitHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                                         KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
            AssignedOffsets offsets = new AssignedOffsets();
            return new AssignmentOffsetsCommit(vertx, throttled.create(config, vertx, answering(consumer, offsets),
                    reportFailure), consumer, offsets);
        }
    }

    /**
     * @return {@code consumer} whose {@code committed(TopicPartition...)} answers from {@code offsets} when they hold
     *         every partition asked about; every other call (and that one otherwise) goes to {@code consumer} unchanged
     */
    static KafkaConsumer<?, ?> answering(KafkaConsumer<?, ?> consumer, AssignedOffsets offsets) {
        return (KafkaConsumer<?, ?>) Proxy.newProxyInstance(KafkaConsumer.class.getClassLoader(),
                new Class<?>[] {KafkaConsumer.class}, (proxy, method, args) -> {
                    if (isCommitted(method, args)) {
                        Optional<Map<TopicPartition, OffsetAndMetadata>> known =
                                offsets.take(List.of((TopicPartition[]) args[0]));
                        if (known.isPresent()) {
                            return Uni.createFrom().item(known.get());
                        }
                    }
                    try {
                        return method.invoke(consumer, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static boolean isCommitted(Method method, Object[] args) {
        return method.getName().equals("committed") && args != null && args.length == 1
                && args[0] instanceof TopicPartition[];
    }

    /**
     * The channel's event-loop context, which SmallRye hands to a strategy that is a {@link ContextHolder}: the
     * throttled strategy runs its bookkeeping on it, so it gets it too.
     */
    @Override
    public void capture(Context context) {
        super.capture(context);
        throttled.capture(context);
    }

    /** Reads the partitions' committed offsets (on the polling thread), then lets the throttled strategy know. */
    @Override
    public void partitionsAssigned(Collection<TopicPartition> partitions) {
        offsets.load(consumer.unwrap(), partitions);
        throttled.partitionsAssigned(partitions);
    }

    /** Forgets what was read of the revoked partitions, then lets the throttled strategy commit them. */
    @Override
    public void partitionsRevoked(Collection<TopicPartition> partitions) {
        offsets.forget(partitions);
        throttled.partitionsRevoked(partitions);
    }

    @Override
    public <K, V> Uni<IncomingKafkaRecord<K, V>> received(IncomingKafkaRecord<K, V> record) {
        return throttled.received(record);
    }

    @Override
    public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
        return throttled.handle(record);
    }

    @Override
    public void terminate(boolean graceful) {
        throttled.terminate(graceful);
    }
}
