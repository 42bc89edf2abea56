package io.conflux.cli.dlq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * How {@code conflux dlq} reaches Kafka: the bootstrap servers, a bound on every request, and the kafka-clients
 * clients built from them (byte-array keys and values: records are read and sent back as they are).
 *
 * @param bootstrapServers {@code host:port[,host:port…]}
 * @param timeout          bound of one Kafka operation (metadata, a poll that makes no progress, a send)
 */
public record KafkaAccess(String bootstrapServers, Duration timeout) {

    /** File in an installation's directory (see {@code LocalInstallation}) naming its Kafka's bootstrap servers. */
    public static final String BOOTSTRAP_FILE = "kafka-bootstrap-servers";

    /**
     * The Kafka to use: {@code option} when given, else the one of the local installation in {@code workDir}
     * ({@code <workDir>/kafka-bootstrap-servers}, written by {@code conflux up}).
     *
     * @throws DlqException when neither is there
     */
    public static KafkaAccess resolve(String option, Path workDir, Duration timeout) {
        if (option != null && !option.isBlank()) {
            return new KafkaAccess(option.strip(), timeout);
        }
        Path file = workDir.resolve(BOOTSTRAP_FILE);
        try {
            String servers = Files.readString(file).strip();
            if (servers.isEmpty()) {
                throw new DlqException("no Kafka address in " + file + "; give --bootstrap-servers HOST:PORT");
            }
            return new KafkaAccess(servers, timeout);
        } catch (IOException e) {
            throw new DlqException("no running installation found (cannot read " + file
                    + "); give --bootstrap-servers HOST:PORT or run where conflux up runs", e);
        }
    }

    /** @return an admin client whose calls give up after {@link #timeout()} */
    public Admin admin() {
        return create(() -> Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "conflux-dlq",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis())));
    }

    /**
     * @return a consumer of raw records without a group (partitions are assigned and positioned by hand; nothing is
     *         committed; {@code auto.offset.reset=none}, so it never jumps to the end on its own)
     */
    public KafkaConsumer<byte[], byte[]> consumer() {
        return create(() -> new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "conflux-dlq",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis(),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    /** @return an idempotent producer with {@code acks=all} whose sends give up after {@link #timeout()} */
    public KafkaProducer<byte[], byte[]> producer() {
        return create(() -> new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "conflux-dlq",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, millis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis()),
                new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /**
     * Waits for an admin result.
     *
     * @param what what is asked, for the error ("listing topics")
     * @throws DlqException when Kafka does not answer within the timeout or refuses
     */
    public <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DlqException("interrupted while " + what, e);
        }
    }

    /**
     * @return a one-line failure of {@code what} against this Kafka: "unreachable" for a timeout, else Kafka's message
     */
    public DlqException failure(String what, Throwable e) {
        if (e instanceof TimeoutException || e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new DlqException("Kafka at " + bootstrapServers + " is unreachable: no answer within "
                    + timeout.toSeconds() + "s while " + what, e);
        }
        return new DlqException("Kafka at " + bootstrapServers + " failed while " + what + ": " + e.getMessage(), e);
    }

    private String millis() {
        return Long.toString(Math.max(1, timeout.toMillis()));
    }

    private <T> T create(java.util.function.Supplier<T> client) {
        try {
            return client.get();
        } catch (KafkaException e) {
            Throwable reason = e.getCause() != null ? e.getCause() : e;
            throw new DlqException("cannot connect to Kafka at " + bootstrapServers + ": " + reason.getMessage(), e);
        }
    }
}
