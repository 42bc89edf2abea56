package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.cli.Main;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.Provider;
import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.Topics;
import io.conflux.sops.testing.SopsTestEncryptor;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secret-looking value — a canary generated for each run — is put everywhere a tenant keeps secrets: a Secret read
 * by {@code postBuild.substituteFrom}, a SOPS-encrypted Secret, a HelmRelease's {@code valuesFrom} Secret, and a
 * Provider's address and {@code headers} Secret. Reconciles are driven to succeed and to fail around it (a value
 * that breaks the YAML after substitution, an env file listed under {@code resources}, a malformed manifest next to
 * the SOPS Secret, malformed Helm values, an invalid Provider address, a malformed headers Secret). The canary must
 * then appear nowhere an operator or another tenant reads: the four services' logs, the objects' status, the
 * Kubernetes events, every record of every Kafka topic, the notifications a Slack stand-in received, the notifier's
 * events and deliveries, and the output of {@code conflux get}, {@code history} and {@code events}.
 *
 * <p>Not in scope: the rendered bundles kept in PostgreSQL, which hold the Secrets by design (their encryption at
 * rest is a separate part of issue #11), and the applied Secrets on the target cluster, which are the point.
 */
class SecretCanaryEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final String NS = "canary";
    static final String SOURCE = "canary";
    static final Duration CONVERGE = Duration.ofMinutes(3);
    static final String CANARY = "cnry" + HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final List<String> KUSTOMIZATIONS = List.of("subst", "subst-bad", "dotenv", "sops", "sops-broken");
    static final List<String> HELM_RELEASES = List.of("helm-good", "helm-bad");

    static LocalInstallation conflux;
    static KubernetesClient client;
    static Path work;
    static SlackSink sink;

    @BeforeAll
    static void start() throws Exception {
        work = PROJECT.resolve("e2e/target/canary-" + System.currentTimeMillis());
        Path repo = work.resolve("git/canary");
        SopsTestEncryptor.AgeKey ageKey = SopsTestEncryptor.generateKey();
        writeRepository(repo, ageKey.recipient());
        FixtureRepositories.create(repo, work.resolve("git/canary-remote"), "main");

        sink = new SlackSink();
        // a GitRepository names http(s)/ssh URLs only: the local repository is reached through an operator rewrite
        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                Duration.ofMinutes(3)));
        client = conflux.client();
        apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n".formatted(NS));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: canary-vars, namespace: %s}
                stringData: {db_password: "%s", bad_password: "*%s"}
                """.formatted(NS, CANARY, CANARY));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: sops-age, namespace: %s}
                data: {age.agekey: %s}
                """.formatted(NS, base64(ageKey.identity() + "\n")));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: helm-values, namespace: %s}
                stringData: {values.yaml: "password: %s\\n"}
                """.formatted(NS, CANARY));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: helm-values-bad, namespace: %s}
                stringData: {values.yaml: "password: %s\\n   user: : %s\\n"}
                """.formatted(NS, CANARY, CANARY));
        providers();
        apply("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: 10m
                  url: %s
                  ref: {branch: main}
                """.formatted(SOURCE, NS, "https://git.conflux.local/canary-remote"));
        String postBuild = """
                  postBuild:
                    substituteFrom:
                      - {kind: Secret, name: canary-vars}
                """;
        String decryption = """
                  decryption:
                    provider: sops
                    secretRef: {name: sops-age}
                """;
        kustomization("subst", postBuild);
        kustomization("subst-bad", postBuild);
        kustomization("dotenv", "");
        kustomization("sops", decryption);
        kustomization("sops-broken", decryption);
        helmRelease("helm-good", "helm-values");
        helmRelease("helm-bad", "helm-values-bad");
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    void theCanaryNeverLeavesTheSecrets() throws Exception {
        await().atMost(CONVERGE).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertReady(kustomization("subst"), true);
            assertReady(kustomization("sops"), true);
            assertReady(kustomization("subst-bad"), false);
            assertReady(kustomization("dotenv"), false);
            assertReady(kustomization("sops-broken"), false);
            assertReady(helmRelease("helm-good"), true);
            assertReady(helmRelease("helm-bad"), false);
        });
        // The failures say what is wrong, by file and object, without the value.
        assertThat(readyMessage(kustomization("subst-bad"))).contains("post build failed for 'Secret/db'");
        assertThat(readyMessage(kustomization("dotenv"))).contains("secrets.env").contains("got a scalar");
        assertThat(readyMessage(kustomization("sops-broken"))).contains("broken.yaml:6: mapping key \"a\" already defined at line 5");
        assertThat(readyMessage(helmRelease("helm-bad"))).contains("failed to parse values");
        // The secret did reach the cluster where it belongs: the canary is a live value, not a dud.
        assertThat(password(client.secrets().inNamespace(NS).withName("db").get())).isEqualTo(CANARY);
        assertThat(password(client.secrets().inNamespace(NS).withName("db-credentials").get())).isEqualTo(CANARY);
        // Notifications went out (the sink got some), and the broken Providers were tried.
        await().atMost(CONVERGE).untilAsserted(() -> {
            assertThat(sink.all()).isNotEmpty();
            assertThat(get("notifier", "/api/deliveries?limit=1000")).contains("bad-address").contains("bad-headers");
        });

        Map<String, String> places = new LinkedHashMap<>();
        places.put("status of the Flux objects", statuses());
        places.put("Kubernetes events", JSON.writeValueAsString(client.v1().events().inNamespace(NS).list().getItems()));
        places.put("Kafka records", kafkaRecords());
        places.put("Slack notifications", JSON.writeValueAsString(sink.all()));
        places.put("notifier events API", get("notifier", "/api/events?limit=1000"));
        places.put("notifier deliveries API", get("notifier", "/api/deliveries?limit=1000"));
        places.put("CLI output", cliOutput());
        for (String service : LocalInstallation.SERVICES) {
            places.put(service + " log", Files.readString(work.resolve("logs").resolve(service + ".log")));
        }
        String encoded = base64(CANARY);
        for (var place : places.entrySet()) {
            assertThat(place.getValue()).as("%s (%d characters)", place.getKey(), place.getValue().length())
                    .isNotEmpty().doesNotContain(CANARY).doesNotContain(encoded.substring(0, encoded.length() - 4));
        }
    }

    /** The repository: one directory per Kustomization, a chart, with the canary in the SOPS files only. */
    private static void writeRepository(Path repo, String recipient) throws Exception {
        write(repo, "subst/kustomization.yaml", "resources: [secret.yaml]\n");
        write(repo, "subst/secret.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: db, namespace: canary}
                stringData:
                  password: "${db_password}"
                """);
        write(repo, "subst-bad/kustomization.yaml", "resources: [secret.yaml]\n");
        write(repo, "subst-bad/secret.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: db, namespace: canary}
                stringData:
                  password: ${bad_password}
                """);
        write(repo, "dotenv/kustomization.yaml", "resources: [secrets.env]\n");
        write(repo, "dotenv/secrets.env", "DB_USER=admin\nDB_PASSWORD=" + CANARY + "\n");
        String encrypted = encryptedSecret(recipient);
        write(repo, "sops/kustomization.yaml", "resources: [secret.enc.yaml]\n");
        write(repo, "sops/secret.enc.yaml", encrypted);
        write(repo, "sops-broken/kustomization.yaml", "resources: [secret.enc.yaml, broken.yaml]\n");
        write(repo, "sops-broken/secret.enc.yaml", encrypted);
        write(repo, "sops-broken/broken.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: broken, namespace: canary}
                data:
                  a: "1"
                  a: "2"
                """);
        write(repo, "charts/canary/Chart.yaml", "apiVersion: v2\nname: canary\nversion: 1.0.0\n");
        write(repo, "charts/canary/templates/secret.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: {{ .Release.Name }}-db}
                stringData:
                  password: {{ .Values.password | quote }}
                """);
    }

    private static String encryptedSecret(String recipient) {
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", Map.of("name", "db-credentials", "namespace", NS));
        secret.put("data", Map.of("password", base64(CANARY)));
        String yaml = SopsTestEncryptor.forRecipients(recipient).encryptedRegex("^(data|stringData)$").yaml(secret);
        assertThat(yaml).doesNotContain(base64(CANARY)).contains("ENC[AES256_GCM");
        return yaml;
    }

    /** A Provider that works (the sink), one whose address is invalid and one whose headers Secret is malformed. */
    private static void providers() {
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: sink-address, namespace: %s}
                stringData: {address: "%s"}
                """.formatted(NS, sink.url()));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: bad-address, namespace: %s}
                stringData: {address: "https://hooks.slack.com/services/T0/B0/%s x"}
                """.formatted(NS, CANARY));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: bad-headers, namespace: %s}
                stringData:
                  address: "%s"
                  headers: "Authorization: Bearer %s\\n  X-Broken: : %s\\n"
                """.formatted(NS, sink.url(), CANARY, CANARY));
        for (String[] p : List.of(new String[] {"sink", "slack", "sink-address"},
                new String[] {"bad-address", "slack", "bad-address"}, new String[] {"bad-headers", "generic", "bad-headers"})) {
            apply("""
                    apiVersion: notification.toolkit.fluxcd.io/v1beta3
                    kind: Provider
                    metadata: {name: %s, namespace: %s}
                    spec: {type: %s, secretRef: {name: %s}}
                    """.formatted(p[0], NS, p[1], p[2]));
            apply("""
                    apiVersion: notification.toolkit.fluxcd.io/v1beta3
                    kind: Alert
                    metadata: {name: %s, namespace: %s}
                    spec:
                      providerRef: {name: %s}
                      eventSeverity: info
                      eventSources:
                        - {kind: Kustomization, name: '*'}
                        - {kind: HelmRelease, name: '*'}
                    """.formatted(p[0], NS, p[0]));
        }
    }

    private static void kustomization(String name, String extraSpec) {
        apply("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: 10m
                  retryInterval: 20s
                  path: ./%s
                  prune: true
                  sourceRef: {kind: GitRepository, name: %s}
                %s""".formatted(name, NS, name, SOURCE, extraSpec));
    }

    private static void helmRelease(String name, String valuesSecret) {
        apply("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: ./charts/canary
                      sourceRef: {kind: GitRepository, name: %s}
                  valuesFrom:
                    - {kind: Secret, name: %s, valuesKey: values.yaml}
                """.formatted(name, NS, SOURCE, valuesSecret));
    }

    private static Kustomization kustomization(String name) {
        return client.resources(Kustomization.class).inNamespace(NS).withName(name).get();
    }

    private static HelmRelease helmRelease(String name) {
        return client.resources(HelmRelease.class).inNamespace(NS).withName(name).get();
    }

    private static void assertReady(io.fabric8.kubernetes.client.CustomResource<?, ?> object, boolean ready) {
        assertThat(object).isNotNull();
        List<Condition> conditions = conditions(object);
        assertThat(Conditions.find(conditions, Condition.READY))
                .as("%s/%s Ready=%s: %s", object.getKind(), object.getMetadata().getName(), ready, conditions)
                .hasValueSatisfying(c -> assertThat(c.isTrue()).isEqualTo(ready));
    }

    private static List<Condition> conditions(io.fabric8.kubernetes.client.CustomResource<?, ?> object) {
        if (object instanceof Kustomization k) {
            return k.getStatus() == null ? null : k.getStatus().conditions();
        }
        if (object instanceof HelmRelease hr) {
            return hr.getStatus() == null ? null : hr.getStatus().conditions();
        }
        throw new IllegalArgumentException(object.getKind());
    }

    private static String readyMessage(io.fabric8.kubernetes.client.CustomResource<?, ?> object) {
        return Conditions.find(conditions(object), Condition.READY).map(Condition::message).orElse("");
    }

    /** Every Flux object of the namespace, status included, as JSON. */
    private static String statuses() throws Exception {
        List<Object> all = new ArrayList<>();
        all.addAll(client.resources(Kustomization.class).inNamespace(NS).list().getItems());
        all.addAll(client.resources(HelmRelease.class).inNamespace(NS).list().getItems());
        all.addAll(client.resources(GitRepository.class).inNamespace(NS).list().getItems());
        all.addAll(client.resources(Provider.class).inNamespace(NS).list().getItems());
        all.addAll(client.resources(Alert.class).inNamespace(NS).list().getItems());
        assertThat(all).hasSize(KUSTOMIZATIONS.size() + HELM_RELEASES.size() + 1 + 3 + 3);
        return client.getKubernetesSerialization().asJson(all);
    }

    /** Every record of every topic (the conflux topics and their dead-letter topics), keys, values and headers. */
    private static String kafkaRecords() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, conflux.kafkaBootstrapServers());
        Set<String> topics;
        try (Admin admin = Admin.create(props)) {
            topics = admin.listTopics().names().get();
        }
        assertThat(topics).contains(Topics.SOURCE_REVISIONS, Topics.RENDER_RESULTS, Topics.EVENTS);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        StringBuilder out = new StringBuilder();
        int count = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = topics.stream()
                    .flatMap(t -> consumer.partitionsFor(t).stream().map(p -> new TopicPartition(t, p.partition())))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.append(r.topic()).append(' ').append(r.key()).append(' ').append(r.value());
                    r.headers().forEach(h -> out.append(' ').append(h.key()).append('=')
                            .append(new String(h.value(), StandardCharsets.UTF_8)));
                    out.append('\n');
                    count++;
                }
            }
        }
        assertThat(count).as("records read from %s", topics).isGreaterThan(KUSTOMIZATIONS.size());
        return out.toString();
    }

    /** What {@code conflux get}, {@code history} and {@code events} print, stdout and stderr. */
    private static String cliOutput() {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("get", "kustomizations"));
        commands.add(List.of("get", "helmreleases"));
        commands.add(List.of("get", "sources"));
        String applier = "http://127.0.0.1:" + conflux.service("applier").httpPort();
        String notifier = "http://127.0.0.1:" + conflux.service("notifier").httpPort();
        KUSTOMIZATIONS.forEach(k -> commands.add(List.of("history", "kustomization", k, "-n", NS, "--applier-url", applier)));
        HELM_RELEASES.forEach(h -> commands.add(List.of("history", "helmrelease", h, "-n", NS, "--applier-url", applier)));
        commands.add(List.of("events", "--notifier-url", notifier, "--limit", "1000"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StringWriter writer = new StringWriter();
        try {
            System.setOut(capture);
            System.setErr(capture);
            for (List<String> command : commands) {
                List<String> args = new ArrayList<>(command);
                if (command.get(0).equals("get")) {
                    args.addAll(List.of("--kubeconfig", conflux.kubeconfig().toString()));
                }
                int code = Main.commandLine().setOut(new PrintWriter(writer, true)).setErr(new PrintWriter(writer, true))
                        .execute(args.toArray(String[]::new));
                assertThat(code).as("conflux %s", String.join(" ", command)).isZero();
            }
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String output = bytes.toString(StandardCharsets.UTF_8) + writer;
        assertThat(output).contains("subst-bad").contains("helm-bad");
        return output;
    }

    private static String get(String service, String path) throws Exception {
        String url = "http://127.0.0.1:" + conflux.service(service).httpPort() + path;
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }

    private static void write(Path repo, String path, String text) throws Exception {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void apply(String yaml) {
        client.resource(yaml).fieldManager("e2e").forceConflicts().serverSideApply();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The Secret's {@code password}, from {@code data} or (the in-memory API server keeps it as sent) {@code stringData}. */
    private static String password(Secret secret) {
        assertThat(secret).isNotNull();
        if (secret.getData() != null && secret.getData().get("password") != null) {
            return decode(secret.getData().get("password"));
        }
        return secret.getStringData() == null ? null : secret.getStringData().get("password");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
