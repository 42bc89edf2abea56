package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.conflux.embedded.EmbeddedPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.hibernate.HibernateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transient vs poison on real failures of PostgreSQL and Kafka (the API server's are in KubernetesPlumbingTest). */
class TransientTest {

    @Test
    void aStoppedPostgresIsTransientAndABadQueryIsPoison(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            int port;
            String user;
            String password;
            Throwable syntax;
            try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir.resolve("pg"))) {
                port = pg.port();
                user = pg.username();
                password = pg.password();
                Pool pool = pool(vertx, port, user, password);
                syntax = catchThrowable(() -> pool.query("SELEC 1").execute().toCompletionStage()
                        .toCompletableFuture().get());
                pool.close();
            }
            Pool pool = pool(vertx, port, user, password);
            Throwable refused = catchThrowable(() -> pool.query("SELECT 1").execute().toCompletionStage()
                    .toCompletableFuture().get());
            pool.close();
            assertThat(refused).isInstanceOf(ExecutionException.class);
            assertThat(Transient.is(refused)).as(String.valueOf(refused.getCause())).isTrue();
            // as Hibernate Reactive reports it: wrapped
            assertThat(Transient.is(new HibernateException("could not execute", refused.getCause()))).isTrue();
            // as Hibernate Reactive reports a PgException: an SQLException with its SQLSTATE, the PgException dropped
            assertThat(Transient.is(new HibernateException("could not execute",
                    new java.sql.SQLException("could not serialize access", "40001")))).isTrue();
            assertThat(Transient.is(new HibernateException("could not execute",
                    new java.sql.SQLException("syntax error", "42601")))).isFalse();
            assertThat(syntax).isNotNull();
            assertThat(Transient.is(syntax)).as(String.valueOf(syntax.getCause())).isFalse();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void kafkaRetriableErrorsAreTransient() {
        Throwable timeout;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 200,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            timeout = catchThrowable(() -> producer.send(new ProducerRecord<>("t", "k", "v")).get());
            producer.close(Duration.ZERO);
        }
        assertThat(timeout).hasRootCauseInstanceOf(TimeoutException.class);
        assertThat(Transient.is(timeout)).isTrue();
        assertThat(Transient.is(new NotLeaderOrFollowerException("moved"))).isTrue();
        assertThat(Transient.is(new RecordTooLargeException("too big"))).isFalse();
        assertThat(Transient.is(new IllegalArgumentException("bad key"))).isFalse();
        assertThat(Transient.is(null)).isFalse();
    }

    private static Pool pool(Vertx vertx, int port, String user, String password) {
        return PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
                .setDatabase(EmbeddedPostgres.DATABASE).setUser(user).setPassword(password)).using(vertx).build();
    }
}
