package io.conflux.service;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes the rows of the service's outbox table ({@link Outbox}) to Kafka and deletes them once Kafka
 * acknowledged them: at-least-once, in id order per key, only rows whose key this replica owns.
 *
 * <p>One poll walks the table in id order, a page of {@code conflux.outbox.batch-size} rows at a time. Per page,
 * in one transaction, it locks the owned rows with {@code SELECT … FOR UPDATE SKIP LOCKED} (so two relays —
 * overlapping during a rebalance — never publish a row concurrently), publishes them with a kafka-clients producer
 * ({@code acks=all}, idempotent, String key and JSON text value, the row's {@code trace_context} as the record's W3C
 * {@code traceparent} header so that the consumer's span joins the producer's trace), waits for every acknowledgement, deletes them and
 * commits. A key one of whose rows was locked by another relay is skipped for the rest of the poll, so a key's
 * rows never overtake each other. When Kafka fails, the transaction is rolled back: the rows stay and the next poll
 * publishes them again (records of the page acknowledged before the failure are then duplicated — consumers are
 * idempotent). Polls run on one thread every {@code conflux.outbox.poll-interval} and when {@link #nudge()}d.
 *
 * <p>A writer's commit wakes the relay at once: {@link Outbox#add} issues {@link #notifyStatement()} in the
 * writer's transaction, and PostgreSQL delivers that {@code NOTIFY} on the table's channel only when the transaction
 * commits (never for a rollback). The relay {@code LISTEN}s on one connection of its pool while it runs, and polls
 * on each notification; if that connection is lost it listens again after a poll interval, the periodic poll
 * covering the gap. A nudge sent before the commit would find nothing to publish, leaving the record for the next
 * periodic poll, up to one poll interval per hop.
 *
 * <p>In a service it starts at start-up only when {@code conflux.outbox.table} is set and non-empty; a send waits
 * at most {@code conflux.outbox.send-timeout}.
 */
@ApplicationScoped
public class OutboxRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Bound of taking the listening connection and of its {@code LISTEN}; a failure retries after a poll interval. */
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    @Inject
    Pool pool;

    @Inject
    Ownership ownership;

    @ConfigProperty(name = "conflux.outbox.table")
    Optional<String> table;

    @ConfigProperty(name = "conflux.outbox.poll-interval")
    Duration pollInterval;

    @ConfigProperty(name = "conflux.outbox.batch-size")
    int batchSize;

    @ConfigProperty(name = "conflux.outbox.send-timeout")
    Duration sendTimeout;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    Optional<String> bootstrapServers;

    private Predicate<String> owns;
    private Map<String, Object> producerConfig;
    private KafkaProducer<String, String> producer;
    private volatile ScheduledExecutorService thread;
    /** The connection that LISTENs; read and swapped without the monitor, which event-loop callbacks must not take. */
    private final AtomicReference<SqlConnection> listener = new AtomicReference<>();
    private final AtomicBoolean nudged = new AtomicBoolean();

    /** For CDI; configured from the keys above. */
    public OutboxRelay() {
    }

    /**
     * For code built by hand (tests); call {@link #publishPending()} directly or {@link #start()} the poll loop.
     *
     * @param pool           a Vert.x Mutiny SQL pool on the service's database
     * @param table          the outbox table, a lower-case SQL identifier
     * @param producerConfig kafka-clients producer properties (at least {@code bootstrap.servers}); serializers,
     *                       {@code acks=all} and idempotence are set by the relay
     * @param owns           whether this replica owns a record key
     * @param batchSize      rows per page, at least 1
     * @param pollInterval   wait between polls
     */
    public OutboxRelay(Pool pool, String table, Map<String, Object> producerConfig, Predicate<String> owns,
                       int batchSize, Duration pollInterval) {
        this.pool = pool;
        this.table = Optional.of(table);
        this.producerConfig = producerConfig;
        this.owns = owns;
        this.batchSize = batchSize;
        this.pollInterval = pollInterval;
        checkTable(table);
    }

    void onStart(@Observes StartupEvent event) {
        if (table().isEmpty()) {
            return;
        }
        checkTable(table.get());
        owns = ownership::owns;
        long timeout = sendTimeout.toMillis();
        String servers = bootstrapServers.orElseThrow(() -> new IllegalStateException(
                "kafka.bootstrap.servers is not set but conflux.outbox.table is: the outbox relay needs Kafka"));
        producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, timeout / 2));
        start();
    }

    /** @return the outbox table when configured and non-empty */
    public Optional<String> table() {
        return table == null ? Optional.empty() : table.filter(t -> !t.isBlank()).map(String::trim);
    }

    /**
     * The statement a writer runs in its transaction after inserting rows, so that the commit wakes the relays
     * listening on this table's channel: {@code SELECT pg_notify('<table>', '')::text} (the cast: a void column has
     * no client type; PostgreSQL folds repeated notifications of one transaction into one).
     *
     * @return the SQL text, without parameters
     * @throws IllegalStateException when no outbox table is configured
     */
    public String notifyStatement() {
        String t = table().orElseThrow(() -> new IllegalStateException("conflux.outbox.table is not set"));
        return "SELECT pg_notify('" + t + "', '')::text";
    }

    /** Starts the poll loop on its own thread and listens for commits of writers; idempotent. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conflux-outbox-relay");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::pollQuietly, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        thread.execute(this::listen);
    }

    /**
     * Takes a connection of the pool and LISTENs on the table's channel; on failure or loss, again later. Runs on the
     * relay's thread and never takes this object's monitor: {@link #publishPending()} holds it while it waits for the
     * database, whose answers come on the event loop that the connection's close handler runs on.
     */
    private void listen() {
        ScheduledExecutorService t = thread;
        if (t == null || listener.get() != null) {
            return;
        }
        String channel = table().orElseThrow();
        SqlConnection conn = null;
        try {
            conn = pool.getConnection().await().atMost(LISTEN_TIMEOUT);
            SqlConnection taken = conn;
            PgConnection pg = PgConnection.cast(conn);
            pg.notificationHandler(n -> nudge());
            pg.closeHandler(() -> relisten(taken));
            pg.exceptionHandler(e -> LOG.debugf("outbox %s: listening connection failed: %s", channel, e.toString()));
            conn.query("LISTEN \"" + channel + "\"").execute().await().atMost(LISTEN_TIMEOUT);
            if (thread == null || !listener.compareAndSet(null, conn)) {
                conn.closeAndForget();
                return;
            }
            nudge(); // rows committed while nobody listened
        } catch (RuntimeException e) {
            LOG.debugf("outbox %s: cannot listen for commits (polling every %s meanwhile): %s", channel, pollInterval,
                    e.toString());
            if (conn != null) {
                conn.closeAndForget(); // back to the pool, not held by a LISTEN that failed
            }
            listenLater(t);
        }
    }

    /** The listening connection closed (by the server, the pool or {@link #close()}): listen again later. */
    private void relisten(SqlConnection lost) {
        if (listener.compareAndSet(lost, null)) {
            listenLater(thread);
        }
    }

    private void listenLater(ScheduledExecutorService t) {
        if (t != null) {
            try {
                t.schedule(this::listen, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                // the relay is closing
            }
        }
    }

    /** Asks for a poll soon (coalesced); a no-op before {@link #start()}. */
    public void nudge() {
        ScheduledExecutorService t = thread;
        if (t != null && nudged.compareAndSet(false, true)) {
            try {
                t.execute(() -> {
                    nudged.set(false);
                    pollQuietly();
                });
            } catch (RejectedExecutionException stopped) {
                nudged.set(false); // the relay is closing
            }
        }
    }

    private void pollQuietly() {
        try {
            publishPending();
        } catch (RuntimeException e) {
            LOG.warnf("outbox %s: publishing stopped for this poll, rows kept: %s", table.orElse("?"), e.toString());
        }
    }

    /**
     * One poll, synchronously on the calling thread (never a Vert.x event loop).
     *
     * @return the number of rows published and deleted
     * @throws RuntimeException when PostgreSQL or Kafka fails; the current page's rows are kept
     */
    public synchronized int publishPending() {
        String t = table.orElseThrow();
        int published = 0;
        long cursor = 0;
        Set<String> blocked = new HashSet<>();
        while (true) {
            RowSet<Row> page = pool.preparedQuery("SELECT id, record_key FROM " + t + " WHERE id > $1 ORDER BY id LIMIT $2")
                    .execute(Tuple.of(cursor, batchSize)).await().indefinitely();
            Map<Long, String> mine = new LinkedHashMap<>();
            int size = 0;
            for (Row row : page) {
                size++;
                cursor = row.getLong("id");
                String key = row.getString("record_key");
                if (!blocked.contains(key) && owns.test(key)) {
                    mine.put(cursor, key);
                }
            }
            if (!mine.isEmpty()) {
                published += publishLocked(t, mine, blocked);
            }
            if (size < batchSize) {
                return published;
            }
        }
    }

    private int publishLocked(String t, Map<Long, String> candidates, Set<String> blocked) {
        SqlConnection conn = pool.getConnection().await().indefinitely();
        try {
            Transaction tx = conn.begin().await().indefinitely();
            try {
                RowSet<Row> rows = conn.preparedQuery("SELECT id, topic, record_key, value, trace_context FROM " + t
                                + " WHERE id = ANY($1) ORDER BY id FOR UPDATE SKIP LOCKED")
                        .execute(Tuple.tuple().addArrayOfLong(candidates.keySet().toArray(Long[]::new)))
                        .await().indefinitely();
                Map<Long, Row> locked = new HashMap<>();
                rows.forEach(r -> locked.put(r.getLong("id"), r));
                List<Long> sent = new ArrayList<>();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (Map.Entry<Long, String> c : candidates.entrySet()) {
                    Row row = locked.get(c.getKey());
                    if (row == null) {
                        blocked.add(c.getValue());
                    }
                    if (row == null || blocked.contains(c.getValue())) {
                        continue;
                    }
                    ProducerRecord<String, String> record = new ProducerRecord<>(row.getString("topic"),
                            row.getString("record_key"), row.getString("value"));
                    TraceContext.inject(record.headers(), row.getString("trace_context"));
                    acks.add(producer().send(record));
                    sent.add(c.getKey());
                }
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
                if (!sent.isEmpty()) {
                    conn.preparedQuery("DELETE FROM " + t + " WHERE id = ANY($1)")
                            .execute(Tuple.tuple().addArrayOfLong(sent.toArray(Long[]::new))).await().indefinitely();
                }
                tx.commit().await().indefinitely();
                return sent.size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rollback(tx);
                throw new IllegalStateException("outbox " + t + ": interrupted while waiting for Kafka", e);
            } catch (ExecutionException e) {
                rollback(tx);
                throw new IllegalStateException("outbox " + t + ": Kafka did not acknowledge: " + e.getCause(), e.getCause());
            } catch (RuntimeException e) {
                rollback(tx);
                throw e;
            }
        } finally {
            conn.close().await().indefinitely();
        }
    }

    private static void rollback(Transaction tx) {
        try {
            tx.rollback().await().indefinitely();
        } catch (RuntimeException e) {
            LOG.debugf("outbox rollback failed (connection lost; PostgreSQL rolls back): %s", e.toString());
        }
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(producerConfig);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producer = new KafkaProducer<>(config);
        }
        return producer;
    }

    private static void checkTable(String table) {
        if (!TABLE.matcher(table.trim()).matches()) {
            throw new IllegalArgumentException("conflux.outbox.table must be a lower-case SQL identifier: " + table);
        }
    }

    /** Stops the poll loop and closes the producer. */
    @PreDestroy
    @Override
    public synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
            thread = null;
        }
        SqlConnection conn = listener.getAndSet(null);
        if (conn != null) {
            conn.closeAndForget();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
