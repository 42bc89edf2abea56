package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.EmbeddedPostgres;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay on real PostgreSQL and Kafka: order, deletion after the ack, outages, ownership, two relays. */
class OutboxRelayTest {
    private static final String TABLE = "test_outbox";

    @TempDir
    static Path dir;
    static EmbeddedPostgres pg;
    static EmbeddedKafka kafka;
    static Vertx vertx;
    static Pool pool;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgres.start(dir.resolve("pg"));
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 6);
        vertx = Vertx.vertx();
        pool = Pool.newInstance(PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
                .setPort(pg.port()).setDatabase(EmbeddedPostgres.DATABASE).setUser(pg.username())
                .setPassword(pg.password())).using(vertx.getDelegate()).build());
        pool.query("CREATE TABLE " + TABLE + " (id BIGSERIAL PRIMARY KEY, topic VARCHAR(255) NOT NULL,"
                + " record_key VARCHAR(1024) NOT NULL, value TEXT NOT NULL,"
                + " created_at TIMESTAMPTZ NOT NULL DEFAULT now(), trace_context VARCHAR(512))").execute().await().indefinitely();
    }

    @AfterAll
    static void stop() {
        pool.close().await().indefinitely();
        vertx.close().await().indefinitely();
        kafka.close();
        pg.close();
    }

    @BeforeEach
    void empty() {
        pool.query("DELETE FROM " + TABLE).execute().await().indefinitely();
    }

    private static OutboxRelay relay(Predicate<String> owns, int batchSize) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        return new OutboxRelay(pool, TABLE, config, owns, batchSize, Duration.ofHours(1));
    }

    private static void insert(String topic, String key, String value) {
        pool.preparedQuery("INSERT INTO " + TABLE + " (topic, record_key, value) VALUES ($1, $2, $3)")
                .execute(Tuple.of(topic, key, value)).await().indefinitely();
    }

    private static List<String> remainingKeys() {
        List<String> keys = new ArrayList<>();
        for (Row r : pool.query("SELECT record_key FROM " + TABLE + " ORDER BY id").execute().await().indefinitely()) {
            keys.add(r.getString("record_key"));
        }
        return keys;
    }

    /** Inserts {@code perKey} rows for each key, interleaved: value {@code key#i}. */
    private static void insertInterleaved(String topic, List<String> keys, int perKey) {
        for (int i = 0; i < perKey; i++) {
            for (String key : keys) {
                insert(topic, key, "\"" + key + "#" + i + "\"");
            }
        }
    }

    /** Reads the topic from the beginning until {@code count} records arrived. */
    private static List<ConsumerRecord<String, String>> consume(String topic, int count) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            for (int i = 0; i < 300 && records.size() < count; i++) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            for (int i = 0; i < 5; i++) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }

    private static List<String> valuesOf(List<ConsumerRecord<String, String>> records, String key) {
        return records.stream().filter(r -> r.key().equals(key)).map(ConsumerRecord::value).toList();
    }

    private static List<String> expected(String key, int perKey) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            values.add("\"" + key + "#" + i + "\"");
        }
        return values;
    }

    @Test
    void aWritersCommitWakesTheRelayWithoutWaitingForThePollInterval() throws Exception {
        String key = "Kustomization/a/woken";
        try (OutboxRelay relay = relay(k -> true, 10)) {
            relay.start(); // polls once at start, then only every hour
            awaitListening();
            pool.withTransaction(c -> c.preparedQuery("INSERT INTO " + TABLE
                            + " (topic, record_key, value) VALUES ($1, $2, $3)")
                    .execute(Tuple.of("outbox-woken", key, "\"rolled-back\""))
                    .chain(() -> c.query(relay.notifyStatement()).execute())
                    .chain(() -> io.smallrye.mutiny.Uni.createFrom().failure(new IllegalStateException("rollback"))))
                    .onFailure().recoverWithNull().await().indefinitely();
            pool.withTransaction(c -> c.preparedQuery("INSERT INTO " + TABLE
                            + " (topic, record_key, value) VALUES ($1, $2, $3)")
                    .execute(Tuple.of("outbox-woken", key, "\"committed\""))
                    .chain(() -> c.query(relay.notifyStatement()).execute()))
                    .await().indefinitely();
            for (int i = 0; i < 600 && !remainingKeys().isEmpty(); i++) {
                Thread.sleep(50); // a liveness bound: without the commit's NOTIFY the next poll is an hour away
            }
            assertThat(remainingKeys()).as("rows left in the outbox").isEmpty();
            List<ConsumerRecord<String, String>> records = consume("outbox-woken", 1);
            assertThat(valuesOf(records, key)).containsExactly("\"committed\"");
        }
    }

    /** Waits until a backend of the pool LISTENs (pg_stat_activity shows the LISTEN as its last query). */
    private static void awaitListening() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            RowSet<Row> rows = pool.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")
                    .execute().await().indefinitely();
            if (rows.size() > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the relay never ran LISTEN");
    }

    @Test
    void sendsEachRowsTraceContextAsTheTraceparentHeader() {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        pool.preparedQuery("INSERT INTO " + TABLE + " (topic, record_key, value, trace_context) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of("outbox-trace", "Kustomization/a/traced", "\"traced\"", traceparent))
                .await().indefinitely();
        insert("outbox-trace", "Kustomization/a/untraced", "\"untraced\"");
        try (OutboxRelay relay = relay(k -> true, 10)) {
            assertThat(relay.publishPending()).isEqualTo(2);
        }
        List<ConsumerRecord<String, String>> records = consume("outbox-trace", 2);
        assertThat(records).hasSize(2);
        Map<String, String> headers = new HashMap<>();
        records.forEach(r -> headers.put(r.key(), TraceContext.traceparent(r.headers())));
        assertThat(headers.get("Kustomization/a/traced")).isEqualTo(traceparent);
        assertThat(headers.get("Kustomization/a/untraced")).isNull();
        assertThat(TraceContext.traceIds(List.of(traceparent))).containsExactly("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void publishesInIdOrderPerKeyAndDeletesAfterTheAck() {
        List<String> keys = List.of("Kustomization/a/one", "Kustomization/a/two", "HelmRelease/b/three");
        insertInterleaved("outbox-order", keys, 10);
        try (OutboxRelay relay = relay(k -> true, 4)) {
            assertThat(relay.publishPending()).isEqualTo(30);
        }
        assertThat(remainingKeys()).isEmpty();
        List<ConsumerRecord<String, String>> records = consume("outbox-order", 30);
        assertThat(records).hasSize(30);
        for (String key : keys) {
            assertThat(valuesOf(records, key)).containsExactlyElementsOf(expected(key, 10));
        }
    }

    @Test
    void relaysOnlyOwnedKeys() {
        List<String> keys = List.of("Kustomization/a/mine", "Kustomization/a/theirs");
        insertInterleaved("outbox-owned", keys, 7);
        try (OutboxRelay relay = relay(k -> k.endsWith("mine"), 3)) {
            assertThat(relay.publishPending()).isEqualTo(7);
        }
        assertThat(remainingKeys()).hasSize(7).allMatch(k -> k.endsWith("theirs"));
        List<ConsumerRecord<String, String>> records = consume("outbox-owned", 7);
        assertThat(records).extracting(ConsumerRecord::key).containsOnly("Kustomization/a/mine");
        assertThat(valuesOf(records, "Kustomization/a/mine")).containsExactlyElementsOf(expected("Kustomization/a/mine", 7));
    }

    @Test
    void keepsRowsWhileKafkaIsDownAndPublishesThemWhenItIsBack() {
        String key = "Kustomization/a/outage";
        try (OutboxRelay relay = relay(k -> true, 10)) {
            insert("outbox-outage", key, "\"before\"");
            assertThat(relay.publishPending()).isEqualTo(1);
            kafka.close();
            try {
                insert("outbox-outage", key, "\"during-1\"");
                insert("outbox-outage", key, "\"during-2\"");
                Throwable failure = catchThrowable(relay::publishPending);
                assertThat(failure).isNotNull();
                assertThat(Transient.is(failure)).as(failure.toString()).isTrue();
                assertThat(remainingKeys()).hasSize(2);
            } finally {
                kafka = EmbeddedKafka.start(dir.resolve("kafka"), 6);
            }
            int published = 0;
            for (int i = 0; i < 20 && published == 0; i++) {
                try {
                    published = relay.publishPending();
                } catch (RuntimeException e) {
                    assertThat(Transient.is(e)).as(e.toString()).isTrue();
                }
            }
            assertThat(published).isEqualTo(2);
        }
        assertThat(remainingKeys()).isEmpty();
        List<String> values = valuesOf(consume("outbox-outage", 3), key);
        assertThat(values).containsSubsequence("\"before\"", "\"during-1\"", "\"during-2\"");
        assertThat(values.get(values.size() - 1)).isEqualTo("\"during-2\"");
    }

    @Test
    void twoRelaysOwningTheSameKeysPublishEachRowOnceInOrder() throws Exception {
        List<String> keys = List.of("Kustomization/x/1", "Kustomization/x/2", "Kustomization/x/3",
                "Kustomization/x/4");
        insertInterleaved("outbox-overlap", keys, 50);
        int published;
        try (OutboxRelay a = relay(k -> true, 7); OutboxRelay b = relay(k -> true, 5)) {
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(a::publishPending);
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(b::publishPending);
            published = first.get() + second.get();
            while (!remainingKeys().isEmpty()) {
                published += a.publishPending();
            }
        }
        assertThat(published).isEqualTo(200);
        List<ConsumerRecord<String, String>> records = consume("outbox-overlap", 200);
        assertThat(records).hasSize(200);
        for (String key : keys) {
            assertThat(valuesOf(records, key)).containsExactlyElementsOf(expected(key, 50));
        }
    }
}
