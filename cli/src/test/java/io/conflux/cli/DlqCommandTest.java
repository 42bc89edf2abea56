package io.conflux.cli;

import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_CAUSE;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_CAUSE_CLASS_NAME;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_EXCEPTION_CLASS_NAME;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_OFFSET;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_PARTITION;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_REASON;
import static io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue.DEAD_LETTER_TOPIC;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.cli.TestCluster.Run;
import io.conflux.cli.dlq.DeadLetterHeaders;
import io.conflux.cli.dlq.ReplayLog;
import io.conflux.embedded.EmbeddedKafka;
import io.conflux.embedded.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux dlq list|replay} against a real Kafka broker ({@link EmbeddedKafka}). The dead letters are written
 * as SmallRye's {@code dead-letter-queue} strategy writes them: key and value of the failed record, the connector's
 * {@code dead-letter-*} headers (named by its own constants, so a rename in SmallRye fails this test) and the
 * original record's headers. Each test has its own topics ({@code tN.render-results} and its {@code .dlq}).
 */
class DlqCommandTest {
    static final int ORIGINAL_PARTITIONS = 3;
    static final AtomicInteger TOPICS = new AtomicInteger();

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static Admin admin;
    static KafkaProducer<String, String> producer;

    /**
     * The time of a test's first dead letter; each next one is a second later. Recent: a record older than the topic's
     * retention (7 days) is deleted by the broker's next retention check.
     */
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);

    String original;
    String dlq;
    int written;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stopKafka() {
        producer.close();
        admin.close();
        kafka.close();
    }

    @BeforeEach
    void topics() throws Exception {
        original = "t" + TOPICS.incrementAndGet() + ".render-results";
        dlq = original + ".dlq";
        admin.createTopics(List.of(new NewTopic(original, ORIGINAL_PARTITIONS, (short) 1),
                new NewTopic(dlq, 2, (short) 1))).all().get();
    }

    @Test
    void listsEachDeadLetterWithItsOriginAndFailureButNotItsValue() throws Exception {
        deadLetter(0, "Kustomization/apps/podinfo", "{\"token\":\"s3cr3t\"}", original, 2, 40,
                "java.lang.IllegalArgumentException", "unknown revision\nmain@sha1:zz",
                "com.fasterxml.jackson.core.JsonParseException", "Unexpected character");
        deadLetter(0, "HelmRelease/apps/redis", "{\"token\":\"other\"}", original, 0, 7,
                "java.lang.IllegalStateException", "no bundle\u001b[2J", null, null);

        Run run = dlq("list", "--topic", dlq);

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("DEAD LETTER").contains("TIME", "KEY", "ORIGIN", "REPLAYED", "REASON");
        assertThat(lines.get(1)).startsWith(dlq + "/0@0 ").contains(" " + T0 + " ", "Kustomization/apps/podinfo", original + "/2@40")
                .endsWith("java.lang.IllegalArgumentException: unknown revision main@sha1:zz; "
                        + "cause com.fasterxml.jackson.core.JsonParseException: Unexpected character");
        assertThat(lines.get(2)).startsWith(dlq + "/0@1 ").contains("HelmRelease/apps/redis", original + "/0@7", " - ")
                .endsWith("java.lang.IllegalStateException: no bundle?[2J"); // no terminal escape from a header
        assertThat(run.out()).doesNotContain("s3cr3t", "other");

        Run shown = dlq("list", "--topic", dlq, "--show-value");
        assertThat(shown.out().lines()).contains("    value: {\"token\":\"s3cr3t\"}", "    value: {\"token\":\"other\"}");

        Run last = dlq("list", "--topic", dlq, "--limit", "1");
        assertThat(last.out().lines().skip(1)).singleElement().asString().startsWith(dlq + "/0@1 ");
    }

    @Test
    void limitKeepsTheMostRecentAcrossPartitions() throws Exception {
        deadLetter(1, "Kustomization/apps/a", "{}", original, 0, 1, "java.lang.IllegalArgumentException", "first", null, null);
        deadLetter(0, "Kustomization/apps/b", "{}", original, 0, 2, "java.lang.IllegalArgumentException", "second", null, null);
        deadLetter(1, "Kustomization/apps/c", "{}", original, 0, 3, "java.lang.IllegalArgumentException", "third", null, null);

        Run run = dlq("list", "--topic", dlq, "--limit", "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().skip(1)).hasSize(2)
                .satisfiesExactly(l -> assertThat(l).startsWith(dlq + "/0@0 ").endsWith("second"),
                        l -> assertThat(l).startsWith(dlq + "/1@1 ").endsWith("third"));
    }

    @Test
    void replaySendsKeyAndValueBackToTheOriginalTopicOnce() throws Exception {
        deadLetter(1, "Kustomization/apps/a", "{\"n\":1}", original, 2, 40, "java.lang.IllegalArgumentException", "bad", null, null);
        deadLetter(1, "Kustomization/apps/b", "{\"n\":2}", original, 1, 41, "java.lang.IllegalArgumentException", "bad", null, null);

        Run first = dlq("replay", "--topic", dlq, "--all");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out().lines()).contains(
                "replayed " + dlq + "/1@0 key Kustomization/apps/a -> " + original + "/" + partitionOf("Kustomization/apps/a") + "@0");
        assertThat(first.out()).contains("2 replayed, 0 skipped");
        List<ConsumerRecord<byte[], byte[]>> sent = readAll(original);
        assertThat(sent).extracting(r -> new String(r.key(), UTF_8) + "=" + new String(r.value(), UTF_8))
                .containsExactlyInAnyOrder("Kustomization/apps/a={\"n\":1}", "Kustomization/apps/b={\"n\":2}");
        for (ConsumerRecord<byte[], byte[]> r : sent) {
            // the default partitioner places the key where the service's producer placed the original
            assertThat(r.partition()).isEqualTo(partitionOf(new String(r.key(), UTF_8)));
            assertThat(r.headers().lastHeader("traceparent")).as("the original record's own header").isNotNull();
            assertThat(r.headers().lastHeader(DEAD_LETTER_REASON)).as("no dead-letter-* header goes back").isNull();
            assertThat(new String(r.headers().lastHeader(DeadLetterHeaders.REPLAYED_FROM).value(), UTF_8)).startsWith(dlq + "/1@");
        }

        Run second = dlq("replay", "--topic", dlq, "--all");

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.out()).contains("0 replayed, 2 skipped").doesNotContain("replayed " + dlq);
        assertThat(second.out().lines()).anyMatch(l -> l.startsWith("skipped " + dlq + "/1@0: already replayed at "));
        assertThat(readAll(original)).hasSize(2);
        assertThat(dlq("list", "--topic", dlq).out().lines().skip(1)).hasSize(2).noneMatch(l -> l.contains(" - "));
    }

    @Test
    void keySelectsOnlyThatKeysDeadLetters() throws Exception {
        deadLetter(0, "Kustomization/apps/a", "{\"n\":1}", original, 0, 1, "java.lang.IllegalArgumentException", "bad", null, null);
        deadLetter(0, "Kustomization/apps/b", "{\"n\":2}", original, 0, 2, "java.lang.IllegalArgumentException", "bad", null, null);
        deadLetter(0, "Kustomization/apps/a", "{\"n\":3}", original, 0, 3, "java.lang.IllegalArgumentException", "bad", null, null);

        Run run = dlq("replay", "--topic", dlq, "--key", "Kustomization/apps/a");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("2 replayed, 0 skipped, 2 selected of 3");
        List<ConsumerRecord<byte[], byte[]>> sent = readAll(original);
        assertThat(sent).extracting(r -> new String(r.value(), UTF_8)).containsExactly("{\"n\":1}", "{\"n\":3}");

        assertThat(dlq("replay", "--key", "Kustomization/apps/b").out()).contains("1 replayed");
        assertThat(readAll(original)).hasSize(3);
    }

    @Test
    void partitionAndOffsetSelectOneDeadLetter() throws Exception {
        deadLetter(1, "Kustomization/apps/a", "{\"n\":1}", original, 0, 1, "java.lang.IllegalArgumentException", "bad", null, null);
        deadLetter(1, "Kustomization/apps/b", "{\"n\":2}", original, 0, 2, "java.lang.IllegalArgumentException", "bad", null, null);

        Run run = dlq("replay", "--topic", dlq, "--partition", "1", "--offset", "1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(readAll(original)).extracting(r -> new String(r.value(), UTF_8)).containsExactly("{\"n\":2}");
        // the other one is still there to replay
        assertThat(dlq("replay", "--topic", dlq, "--all").out()).contains("1 replayed, 1 skipped");
        assertThat(readAll(original)).hasSize(2);
    }

    @Test
    void aDeadLetterNamingAnotherTopicIsNotSentThere() throws Exception {
        deadLetter(0, "Kustomization/apps/a", "{}", "conflux.events", 0, 1, "java.lang.IllegalArgumentException", "bad", null, null);

        Run run = dlq("replay", "--topic", dlq, "--all");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("skipped " + dlq + "/0@0: its header names topic conflux.events, not " + original)
                .contains("0 replayed, 1 skipped");
        assertThat(readAll(original)).isEmpty();
    }

    @Test
    void aMissingTopicIsOneLineAndExitCodeOne() {
        Run run = dlq("list", "--topic", "no-such.dlq");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("conflux dlq list: no topic no-such.dlq on Kafka at " + kafka.bootstrapServers())
                .contains(dlq);
    }

    @Test
    void unreachableKafkaIsOneLineAndExitCodeOne() {
        String nowhere = "127.0.0.1:" + Ports.freePort();

        Run run = TestCluster.run("dlq", "list", "--bootstrap-servers", nowhere, "--timeout", "2s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .isEqualTo("conflux dlq list: Kafka at " + nowhere + " is unreachable: no answer within 2s while listing topics");
    }

    @Test
    void replayWithoutSelectorIsRefused() {
        Run run = dlq("replay", "--topic", dlq);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .isEqualTo("conflux dlq replay: say what to replay: --key K, --partition P --offset O, or --all");
    }

    @Test
    void findsTheLocalInstallationsKafkaInItsDirectory(@TempDir Path work) throws Exception {
        deadLetter(0, "Kustomization/apps/a", "{}", original, 0, 1, "java.lang.IllegalArgumentException", "bad", null, null);
        Files.writeString(work.resolve("kafka-bootstrap-servers"), kafka.bootstrapServers() + "\n");

        Run run = TestCluster.run("dlq", "list", "--topic", dlq, "--work-dir", work.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().skip(1)).singleElement().asString().startsWith(dlq + "/0@0 ");

        Run none = TestCluster.run("dlq", "list", "--work-dir", work.resolve("absent").toString());
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err().lines()).singleElement().asString().startsWith("conflux dlq list: no running installation found");
    }

    @Test
    void theReplayLogIsNotADeadLetterTopic() {
        assertThat(ReplayLog.TOPIC).doesNotEndWith(".dlq");
    }

    private Run dlq(String... args) {
        List<String> all = new ArrayList<>(List.of("dlq"));
        all.addAll(List.of(args));
        all.addAll(List.of("--bootstrap-servers", kafka.bootstrapServers()));
        return TestCluster.run(all.toArray(String[]::new));
    }

    /** Writes a dead letter to this test's dead-letter topic, partition {@code partition}, as SmallRye does. */
    private void deadLetter(int partition, String key, String value, String fromTopic, int fromPartition, long fromOffset,
                            String exceptionClass, String reason, String causeClass, String cause) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DEAD_LETTER_EXCEPTION_CLASS_NAME, exceptionClass.getBytes(UTF_8));
        headers.add(DEAD_LETTER_REASON, reason.getBytes(UTF_8));
        if (causeClass != null) {
            headers.add(DEAD_LETTER_CAUSE_CLASS_NAME, causeClass.getBytes(UTF_8));
            headers.add(DEAD_LETTER_CAUSE, cause.getBytes(UTF_8));
        }
        headers.add(DEAD_LETTER_TOPIC, fromTopic.getBytes(UTF_8));
        headers.add(DEAD_LETTER_PARTITION, Integer.toString(fromPartition).getBytes(UTF_8));
        headers.add(DEAD_LETTER_OFFSET, Long.toString(fromOffset).getBytes(UTF_8));
        headers.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".getBytes(UTF_8));
        long time = T0.plusSeconds(written++).toEpochMilli();
        producer.send(new ProducerRecord<>(dlq, partition, time, key, value, headers)).get();
    }

    /** @return every record of {@code topic} now, by partition and offset */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** Kafka's default partitioner for a String key: {@code toPositive(murmur2(utf8)) % partitions}. */
    private static int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(UTF_8))) % ORIGINAL_PARTITIONS;
    }
}
