package io.conflux.receiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.Receiver;
import io.conflux.model.notification.ReceiverSpec;
import io.conflux.model.notification.ReceiverSpec.ResourceSelector;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.Topics;
import io.conflux.service.Ownership;
import io.conflux.service.OwnershipListener;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

/**
 * Ownership of GitRepositories across two members of the receiver's consumer group {@code conflux-receiver}, on real
 * Kafka, PostgreSQL and an in-memory Kubernetes API: this Quarkus application is one replica; a second member —
 * standing in for another replica: a real {@link KafkaConsumer} in the same group on
 * {@code conflux.reconcile-requests}, feeding a real service-common {@link Ownership} through its
 * {@link OwnershipListener} — takes part of the partitions. It shows that the two own disjoint key sets covering
 * everything; that the application polls and publishes only the sources it owns, each once per revision although
 * their interval is short; that a webhook answered by the application for a source it does not own publishes
 * nothing itself but records a reconcile request in the outbox; and that when the other member leaves, the
 * application takes its sources over, publishes each exactly once, and the request leads to exactly one
 * {@code SourceRevision} of the pushed commit.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedInfrastructure.class)
class OwnershipFlowTest {
    private static final String NS = "default";
    private static final String TOKEN = "ownership-webhook-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Ownership ownership;

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aNonOwnerForwardsTheWebhookAndEachSourceIsPublishedOncePerRevision() throws Exception {
        await("the application owning partitions", () -> ownership.partitions().isEmpty() ? null : true);
        int partitions = partitionCount();
        Set<Integer> all = IntStream.range(0, partitions).boxed().collect(Collectors.toSet());
        assertThat(partitions).as("the test needs partitions to split").isGreaterThan(1);

        String x;
        try (OtherReplica other = OtherReplica.join()) {
            await("the partitions split between the two members", () -> {
                Set<Integer> mine = ownership.partitions();
                Set<Integer> theirs = other.ownership.partitions();
                Set<Integer> union = new HashSet<>(mine);
                union.addAll(theirs);
                return !mine.isEmpty() && !theirs.isEmpty() && union.equals(all) ? true : null;
            });
            Set<Integer> theirs = other.ownership.partitions();
            assertThat(ownership.partitions()).as("no partition owned twice").doesNotContainAnyElementsOf(theirs);

            // six sources polled every 2 s from one remote, and one source "x" that the other member owns
            Path shared = EmbeddedInfrastructure.github.resolve("acme/shared.git");
            RevCommit s1;
            try (Git git = Git.init().setDirectory(shared.toFile()).setInitialBranch("main").call()) {
                s1 = commit(git, shared, "a.yaml", "kind: A\n");
            }
            Path xRemote = EmbeddedInfrastructure.github.resolve("acme/x.git");
            RevCommit x1;
            try (Git git = Git.init().setDirectory(xRemote.toFile()).setInitialBranch("main").call()) {
                x1 = commit(git, xRemote, "x.yaml", "kind: X\n");
            }
            List<String> sources = IntStream.range(0, 6).mapToObj(i -> "shared-" + i).toList();
            for (String name : sources) {
                createSource(name, "https://github.com/acme/shared.git", "2s");
            }
            x = IntStream.range(0, 100).mapToObj(i -> "x-" + i)
                    .filter(name -> other.ownership.owns(key(name))).findFirst().orElseThrow();
            createSource(x, "https://github.com/acme/x.git", "1h");
            List<String> mine = sources.stream().filter(name -> ownership.owns(key(name))).toList();
            List<String> notMine = sources.stream().filter(name -> !ownership.owns(key(name))).toList();
            assertThat(mine).as("sources owned by each: %s / %s", mine, notMine).isNotEmpty();

            // the application publishes what it owns, once per revision (several 2 s polls later)
            String r1 = "main@sha1:" + s1.name();
            await("the owned sources published", () -> mine.stream()
                    .allMatch(name -> count(key(name), r1) == 1) ? true : null);
            Thread.sleep(5_000); // at least two more polls of each owned source, which must publish nothing
            List<ConsumerRecord<String, String>> published = EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS);
            for (String name : mine) {
                assertThat(count(published, key(name), r1)).as(name).isEqualTo(1);
            }
            for (String name : notMine) {
                assertThat(count(published, key(name), null)).as("%s is the other member's", name).isZero();
                assertThat(outboxRows(Topics.SOURCE_REVISIONS, key(name))).as("%s not even reconciled here", name)
                        .isZero();
            }
            assertThat(count(published, key(x), null)).isZero();
            assertThat(outboxRows(Topics.SOURCE_REVISIONS, key(x))).isZero();

            // a push to x answered by the application, which does not own x
            RevCommit x2;
            try (Git git = Git.open(xRemote.toFile())) {
                x2 = commit(git, xRemote, "y.yaml", "kind: Y\n");
            }
            String path = createReceiver("x-receiver", x);
            String delivery = "delivery-" + x2.name();
            String push = "{\"ref\":\"refs/heads/main\",\"after\":\"" + x2.name() + "\"}";
            HttpResponse<String> answer = await("the webhook served", () -> {
                HttpResponse<String> r = post(path, push, signed(push, delivery));
                return r.statusCode() == 404 ? null : r;
            });
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("polling").toString()).contains(key(x));
            assertThat(outboxRows(Topics.RECONCILE_REQUESTS, key(x))).as("the request waits for x's owner").isEqualTo(1);
            assertThat(count(EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS), key(x), null)).as("the non-owner did not reconcile x")
                    .isZero();
            assertThat(x1).isNotEqualTo(x2);
        }

        // the other member left: the application owns everything, takes its sources over, relays the request
        await("all partitions owned", () -> ownership.partitions().equals(all) ? true : null);
        String r2 = "main@sha1:" + (readHead("acme/x.git"));
        await("x published at the pushed commit", () -> count(key(x), r2) == 1 ? true : null);
        String r1 = "main@sha1:" + readHead("acme/shared.git");
        await("every shared source published", () -> IntStream.range(0, 6)
                .allMatch(i -> count(key("shared-" + i), r1) == 1) ? true : null);
        await("the request relayed", () -> outboxRows(Topics.RECONCILE_REQUESTS, key(x)) == 0 ? true : null);
        await("the request consumed", () -> consumedAll(Topics.RECONCILE_REQUESTS) ? true : null);
        Thread.sleep(5_000); // more polls of the shared sources

        List<ConsumerRecord<String, String>> published = EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS);
        assertThat(count(published, key(x), null)).as("one SourceRevision of x, by its owner").isEqualTo(1);
        for (int i = 0; i < 6; i++) {
            assertThat(count(published, key("shared-" + i), null)).as("shared-" + i + " once for its one revision")
                    .isEqualTo(1);
        }
        List<ConsumerRecord<String, String>> requests = EmbeddedInfrastructure.records(Topics.RECONCILE_REQUESTS);
        assertThat(requests).filteredOn(r -> r.key().equals(key(x))).hasSize(1)
                .allSatisfy(r -> assertThat(value(r).path("trigger").asText()).isEqualTo("webhook"));
    }

    /**
     * A second member of {@code conflux-receiver}: a consumer of {@code conflux.reconcile-requests} that holds its
     * partitions (it commits nothing and handles nothing) with its own {@link Ownership}.
     */
    private static final class OtherReplica implements AutoCloseable {
        final Ownership ownership = Ownership.byPartitions();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private OtherReplica() {
            OwnershipListener listener = new OwnershipListener(ownership);
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, EmbeddedInfrastructure.kafka.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "conflux-receiver");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            thread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
                    consumer.subscribe(List.of(Topics.RECONCILE_REQUESTS), new ConsumerRebalanceListener() {
                        @Override
                        public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                            listener.onPartitionsRevoked(consumer, parts);
                        }

                        @Override
                        public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                            listener.onPartitionsAssigned(consumer, parts);
                        }
                    });
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(100)); // holds the partitions; handles nothing
                    }
                }
            }, "other-receiver-replica");
            thread.setDaemon(true);
        }

        static OtherReplica join() {
            OtherReplica other = new OtherReplica();
            other.thread.start();
            return other;
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String key(String name) {
        return "GitRepository/" + NS + "/" + name;
    }

    private static int partitionCount() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedInfrastructure.kafka.bootstrapServers()))) {
            return admin.describeTopics(List.of(Topics.RECONCILE_REQUESTS)).allTopicNames().get()
                    .get(Topics.RECONCILE_REQUESTS).partitions().size();
        }
    }

    /** @return whether the group {@code conflux-receiver} committed the end offset of every partition of the topic */
    private static boolean consumedAll(String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", EmbeddedInfrastructure.kafka.bootstrapServers()))) {
            var committed = admin.listConsumerGroupOffsets("conflux-receiver").partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get();
            return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
        } catch (Exception e) {
            return false;
        }
    }

    private static String readHead(String repo) throws Exception {
        try (Git git = Git.open(EmbeddedInfrastructure.github.resolve(repo).toFile())) {
            return git.getRepository().resolve("refs/heads/main").name();
        }
    }

    private static void createSource(String name, String url, String interval) {
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        repo.setSpec(new GitRepositorySpec(url, GitRepositoryRef.branch("main"), interval, "20s", null, null, null, null));
        EmbeddedInfrastructure.kube.client().resource(repo).create();
    }

    /** Creates a GitHub Receiver selecting the GitRepository {@code source}; returns its path (Flux's rule). */
    private static String createReceiver(String name, String source) throws Exception {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName(name + "-token").endMetadata()
                .addToStringData("token", TOKEN).build()).create();
        Receiver receiver = new Receiver();
        receiver.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        receiver.setSpec(new ReceiverSpec("github", null, List.of("push"),
                List.of(new ResourceSelector("source.toolkit.fluxcd.io/v1", "GitRepository", source, null, null)),
                new LocalObjectReference(name + "-token"), null));
        kube.resource(receiver).create();
        return "/hook/" + String.format("%064x", new BigInteger(1, MessageDigest.getInstance("SHA-256")
                .digest((TOKEN + name + NS).getBytes(StandardCharsets.UTF_8))));
    }

    private static RevCommit commit(Git git, Path work, String file, String content) throws Exception {
        Files.writeString(work.resolve(file), content);
        git.add().addFilepattern(".").call();
        return git.commit().setMessage("add " + file).setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
    }

    private static Map<String, String> signed(String body, String delivery) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
            return Map.of("X-Hub-Signature-256", signature, "X-GitHub-Event", "push", "X-GitHub-Delivery", delivery,
                    "Content-Type", "application/json");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int outboxRows(String topic, String key) {
        try (Connection c = DriverManager.getConnection(EmbeddedInfrastructure.postgres.jdbcUrl(),
                EmbeddedInfrastructure.postgres.username(), EmbeddedInfrastructure.postgres.password());
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM receiver_outbox WHERE topic = ? AND record_key = ?")) {
            s.setString(1, topic);
            s.setString(2, key);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode value(ConsumerRecord<String, String> r) {
        try {
            return JSON.readTree(r.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String key, String revision) {
        return count(EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS), key, revision);
    }

    /** @return the records of {@code key} (at {@code revision}, or any when null) */
    private static long count(List<ConsumerRecord<String, String>> records, String key, String revision) {
        return records.stream().filter(r -> key.equals(r.key()))
                .filter(r -> revision == null || revision.equals(value(r).path("revision").asText())).count();
    }


    /** Polls until the probe gives a value; the bound only stops a broken run from hanging. */
    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("gave up waiting for " + what);
    }
}
