package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.cli.Main;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.ResourceInventory.ResourceRef;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.sops.testing.SopsTestEncryptor;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * kustomize-controller's behaviours end to end, one installation for all (real Kafka, real PostgreSQL, the four
 * services as separate JVMs, the in-memory API server): drift correction, prune safeguards, {@code force},
 * suspend/resume, {@code postBuild} substitution and SOPS decryption. One repository ({@code
 * src/test/resources/behaviour}, plus a SOPS file encrypted here for a generated age key), one GitRepository, one
 * Kustomization per directory; each commit is announced with {@code conflux reconcile source git} (Flux's
 * {@code requestedAt}), so nothing waits for a poll. Each test asserts what a no-op implementation of its behaviour
 * would get wrong.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KustomizationBehaviourEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    static final String NS = "behaviour";
    static final String SOURCE = "behaviour";
    static final Duration CONVERGE = Duration.ofMinutes(2);
    /** The drift Kustomization's interval: how soon a change made by hand is put back. */
    static final String DRIFT_INTERVAL = "5s";
    /** The substitution Kustomization's interval: how soon an edited substituteFrom ConfigMap is rebuilt in. */
    static final String SUBSTITUTION_INTERVAL = "10s";
    static final String DB_PASSWORD = "s3cr3t-" + Long.toHexString(System.nanoTime());
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static LocalInstallation conflux;
    static KubernetesClient client;
    static Path repo;
    static SopsTestEncryptor.AgeKey ageKey;

    @BeforeAll
    static void start() throws Exception {
        Path work = PROJECT.resolve("e2e/target/behaviour-" + System.currentTimeMillis());
        repo = work.resolve("git/behaviour");
        FixtureRepositories.create(PROJECT.resolve("e2e/src/test/resources/behaviour"), repo, "main");
        ageKey = SopsTestEncryptor.generateKey();
        Files.writeString(repo.resolve("sops/secret.enc.yaml"), encryptedSecret(ageKey.recipient()));
        FixtureRepositories.commitAll(repo, "Add the SOPS-encrypted database credentials");

        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                Duration.ofMinutes(3)));
        client = conflux.client();
        apply("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: %s}
                """.formatted(NS));
        // substituteFrom inputs: the ConfigMap first, the Secret second (later sources win), inline wins over both
        apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cluster-vars, namespace: %s}
                data: {cluster_name: from-configmap, region: eu-west-1, tier: silver}
                """.formatted(NS));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: cluster-secrets, namespace: %s}
                data: {api_token: %s, tier: %s}
                """.formatted(NS, base64("t0k3n"), base64("gold")));
        apply("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: 10m
                  url: %s
                  ref: {branch: main}
                """.formatted(SOURCE, NS, "https://git.conflux.local/behaviour"));
        kustomization("drift", DRIFT_INTERVAL, "");
        kustomization("prune", "10m", "");
        kustomization("force", "10m", "");
        kustomization("suspend", "10m", "");
        // a short interval: an edited substituteFrom ConfigMap must reach the cluster at the next one (Flux rebuilds then)
        kustomization("substitution", SUBSTITUTION_INTERVAL, """
                  postBuild:
                    substitute: {cluster_name: edge-1}
                    substituteFrom:
                      - {kind: ConfigMap, name: cluster-vars}
                      - {kind: ConfigMap, name: absent-vars, optional: true}
                      - {kind: Secret, name: cluster-secrets}
                """);
        // the decryption Secret does not exist yet: the Kustomization fails, naming it, and retries every 5s
        kustomization("sops", "10m", """
                  retryInterval: 5s
                  decryption:
                    provider: sops
                    secretRef: {name: sops-age}
                """);
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
    }

    @Test
    @Order(1)
    void driftMadeByHandIsPutBackAtTheNextIntervalAndRecordedInTheHistory() throws Exception {
        String head = FixtureRepositories.head(repo);
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("drift", head));
        // a periodic re-apply of an unchanged cluster finds nothing to correct
        await().atMost(Duration.ofMinutes(1)).until(() -> history("drift").size() >= 2);
        assertThat(history("drift")).allSatisfy(a -> {
            assertThat(a.path("ready").asBoolean()).as("attempt %s", a).isTrue();
            assertThat(a.path("message").asText()).as("attempt %s", a).doesNotContain("drift");
        });

        OffsetDateTime edited = OffsetDateTime.now();
        // as `kubectl edit` / `kubectl patch` would: a client-side merge patch under kubectl's field manager
        PatchContext kubectl = new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
                .withFieldManager("kubectl-edit").build();
        client.configMaps().inNamespace(NS).withName("web-settings")
                .patch(kubectl, "{\"data\":{\"greeting\":\"changed by hand\",\"extra\":\"added by hand\"}}");
        client.apps().deployments().inNamespace(NS).withName("web").patch(kubectl, "{\"spec\":{\"replicas\":5}}");
        assertThat(client.configMaps().inNamespace(NS).withName("web-settings").get().getData())
                .containsEntry("greeting", "changed by hand");
        assertThat(client.apps().deployments().inNamespace(NS).withName("web").get().getSpec().getReplicas()).isEqualTo(5);

        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            assertThat(client.configMaps().inNamespace(NS).withName("web-settings").get().getData())
                    .isEqualTo(Map.of("greeting", "hello", "mode", "strict"));
            assertThat(client.apps().deployments().inNamespace(NS).withName("web").get().getSpec().getReplicas())
                    .isEqualTo(2);
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> corrected = history("drift").stream()
                    .filter(a -> !OffsetDateTime.parse(a.path("startedAt").asText()).isBefore(edited.minusSeconds(1)))
                    .filter(a -> a.path("message").asText().startsWith("drift corrected:"))
                    .toList();
            assertThat(corrected).as("drift corrections after the edit").isNotEmpty().allSatisfy(a -> {
                assertThat(a.path("ready").asBoolean()).isTrue();
                assertThat(a.path("revision").asText()).isEqualTo("main@sha1:" + head);
                assertThat(a.path("configured").asInt()).isPositive();
            });
            String messages = String.join("\n", corrected.stream().map(a -> a.path("message").asText()).toList());
            assertThat(messages).contains("ConfigMap/behaviour/web-settings configured", "Deployment/behaviour/web configured");
            assertThat(corrected.stream().mapToInt(a -> a.path("configured").asInt()).sum()).isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    @Order(2)
    void removedObjectsArePrunedExceptThoseWithPruneDisabledAndNamespacesGoLast() throws Exception {
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("prune", FixtureRepositories.head(repo)));
        assertThat(client.configMaps().inNamespace(NS).withName("prune-keep").get()).isNotNull();
        assertThat(client.configMaps().inNamespace(NS).withName("prune-remove").get()).isNotNull();
        assertThat(client.configMaps().inNamespace("prune-scratch").withName("inner").get()).isNotNull();

        Path dir = repo.resolve("prune");
        for (String file : List.of("keep.yaml", "remove.yaml", "scratch.yaml")) {
            Files.delete(dir.resolve(file));
        }
        Files.writeString(dir.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - stays.yaml
                """);
        String sha = commit("Remove all but one object of prune/");

        await().atMost(CONVERGE).untilAsserted(() -> {
            assertApplied("prune", sha);
            assertThat(client.configMaps().inNamespace(NS).withName("prune-remove").get()).isNull();
            assertThat(client.namespaces().withName("prune-scratch").get()).isNull();
        });
        ConfigMap kept = client.configMaps().inNamespace(NS).withName("prune-keep").get();
        assertThat(kept).as("the prune: disabled object stays on the cluster").isNotNull();
        assertThat(kept.getData()).containsEntry("role", "removed from Git, kept on the cluster");
        assertThat(client.configMaps().inNamespace(NS).withName("prune-stays").get()).isNotNull();
        // it is no longer Conflux's: it left the inventory, so a later commit will not prune it either
        assertThat(kustomization("prune").getStatus().inventory().entries()).extracting(ResourceRef::id)
                .containsExactly(NS + "_prune-stays__ConfigMap");

        // the change set (the event's message) shows the object in the Namespace pruned before the Namespace:
        // had the Namespace gone first, the ConfigMap would have gone with it and not be listed as deleted
        String changeSet = await().atMost(Duration.ofSeconds(30)).until(() -> events("Kustomization/" + NS + "/prune").stream()
                .filter(e -> e.path("revision").asText().endsWith(sha))
                .map(e -> e.path("message").asText()).filter(m -> m.contains("deleted")).findFirst().orElse(null),
                m -> m != null);
        assertThat(changeSet).contains("ConfigMap/behaviour/prune-remove deleted").doesNotContain("prune-keep deleted");
        assertThat(changeSet.indexOf("ConfigMap/prune-scratch/inner deleted")).as(changeSet).isNotNegative()
                .isLessThan(changeSet.indexOf("Namespace/prune-scratch deleted"));
    }

    @Test
    @Order(3)
    void anImmutableChangeFailsWithoutForceAndRecreatesTheJobWithForce() throws Exception {
        String before = FixtureRepositories.head(repo);
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("force", before));
        Job original = client.batch().v1().jobs().inNamespace(NS).withName("migrate").get();
        String uid = original.getMetadata().getUid();

        Path job = repo.resolve("force/job.yaml");
        Files.writeString(job, Files.readString(job).replace("echo schema v1", "echo schema v2"));
        String sha = commit("Change the migration Job's command");

        await().atMost(CONVERGE).untilAsserted(() -> {
            Kustomization k = kustomization("force");
            assertThat(k.getStatus().lastAttemptedRevision()).isEqualTo("main@sha1:" + sha);
            Condition ready = Conditions.find(k.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.message()).contains("Job/behaviour/migrate", "spec.template", "field is immutable");
            assertThat(k.getStatus().lastAppliedRevision()).isEqualTo("main@sha1:" + before);
        });
        Job unchanged = client.batch().v1().jobs().inNamespace(NS).withName("migrate").get();
        assertThat(unchanged.getMetadata().getUid()).isEqualTo(uid);
        assertThat(command(unchanged)).contains("echo schema v1");

        client.resources(Kustomization.class).inNamespace(NS).withName("force")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"force\":true}}");
        await().atMost(CONVERGE).untilAsserted(() -> {
            assertApplied("force", sha);
            Job recreated = client.batch().v1().jobs().inNamespace(NS).withName("migrate").get();
            assertThat(recreated.getMetadata().getUid()).as("a new Job").isNotEqualTo(uid);
            assertThat(command(recreated)).contains("echo schema v2");
        });
    }

    @Test
    @Order(4)
    void aSuspendedKustomizationDoesNotApplyANewCommitUntilResumed() throws Exception {
        String before = FixtureRepositories.head(repo);
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("suspend", before));
        assertThat(cli("suspend", "kustomization", "suspend", "-n", NS)).isZero();
        assertThat(kustomization("suspend").getSpec().suspend()).isTrue();

        Path config = repo.resolve("suspend/config.yaml");
        Files.writeString(config, Files.readString(config).replace("release: v1", "release: v2"));
        String sha = commit("Release v2");

        // The same commit reaches a Kustomization that is not suspended, and that one re-applies it once more at its
        // next interval: by then the suspended one would have been applied too, were suspend ignored.
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("drift", sha));
        OffsetDateTime siblingApplied = OffsetDateTime.now();
        await().atMost(Duration.ofMinutes(1)).until(() -> history("drift").stream()
                .anyMatch(a -> OffsetDateTime.parse(a.path("startedAt").asText()).isAfter(siblingApplied)));
        assertThat(client.configMaps().inNamespace(NS).withName("suspend-config").get().getData())
                .containsEntry("release", "v1");
        assertThat(kustomization("suspend").getStatus().lastAppliedRevision()).isEqualTo("main@sha1:" + before);

        assertThat(cli("resume", "kustomization", "suspend", "-n", NS)).isZero();
        await().atMost(CONVERGE).untilAsserted(() -> {
            assertApplied("suspend", sha);
            assertThat(client.configMaps().inNamespace(NS).withName("suspend-config").get().getData())
                    .containsEntry("release", "v2");
        });
    }

    @Test
    @Order(5)
    void postBuildSubstitutesVariablesFromInlineConfigMapsAndSecretsWithDefaultsAndEscapes() {
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("substitution", FixtureRepositories.head(repo)));
        ConfigMap substituted = client.configMaps().inNamespace(NS).withName("substituted").get();
        assertThat(substituted.getMetadata().getLabels()).containsEntry("cluster", "edge-1");
        assertThat(substituted.getData()).isEqualTo(Map.of(
                "cluster", "edge-1",             // inline substitute wins over the ConfigMap's cluster_name
                "region", "eu-west-1",           // from the ConfigMap
                "token", "t0k3n",                // from the Secret (decoded)
                "tier", "gold",                  // the Secret comes after the ConfigMap: its value wins
                "owner", "platform-team",        // ${owner:=platform-team}, owner unset
                "zone", "eu-west-1",             // ${region:=nowhere}, region set
                "literal", "${cluster_name}",    // $${cluster_name} is the escape for a literal ${cluster_name}
                "unset", "before--after"));      // ${not_defined_anywhere:-}: unset, empty default (strict mode is on)
        ConfigMap verbatim = client.configMaps().inNamespace(NS).withName("verbatim").get();
        assertThat(verbatim.getData()).containsEntry("cluster", "${cluster_name}");
    }

    @Test
    @Order(7)
    void anEditedSubstitutionConfigMapIsBuiltInAtTheNextIntervalWithoutACommit() {
        String revision = FixtureRepositories.head(repo);
        client.configMaps().inNamespace(NS).withName("cluster-vars")
                .edit(cm -> { cm.getData().put("region", "ap-south-2"); return cm; });
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(
                client.configMaps().inNamespace(NS).withName("substituted").get().getData())
                .containsEntry("region", "ap-south-2").containsEntry("zone", "ap-south-2"));
        assertApplied("substitution", revision);
    }

    @Test
    @Order(6)
    void sopsSecretIsDecryptedWithTheAgeKeyAndNothingIsAppliedWithoutIt() {
        await().atMost(CONVERGE).untilAsserted(() -> {
            Kustomization k = kustomization("sops");
            assertThat(k.getStatus()).isNotNull();
            Condition ready = Conditions.find(k.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.message()).contains("sops-age");
            assertThat(k.getStatus().lastAttemptedRevision()).isEqualTo("main@sha1:" + FixtureRepositories.head(repo));
        });
        assertThat(kustomization("sops").getStatus().lastAppliedRevision()).isNull();
        assertThat(client.secrets().inNamespace(NS).withName("db-credentials").get()).isNull();
        assertThat(client.configMaps().inNamespace(NS).withName("sops-plain").get()).isNull();

        // Flux reads every *.agekey entry of the decryption Secret; the retry (retryInterval) picks it up
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: sops-age, namespace: %s}
                data: {age.agekey: %s}
                """.formatted(NS, base64(ageKey.identity() + "\n")));
        await().atMost(CONVERGE).untilAsserted(() -> assertApplied("sops", FixtureRepositories.head(repo)));
        Secret secret = client.secrets().inNamespace(NS).withName("db-credentials").get();
        assertThat(secret.getData()).containsOnlyKeys("username", "password");
        assertThat(decode(secret.getData().get("username"))).isEqualTo("admin");
        assertThat(decode(secret.getData().get("password"))).isEqualTo(DB_PASSWORD);
        GenericKubernetesResource raw = client.genericKubernetesResources("v1", "Secret").inNamespace(NS)
                .withName("db-credentials").get();
        assertThat(raw.getAdditionalProperties()).doesNotContainKey("sops");
        assertThat(client.configMaps().inNamespace(NS).withName("sops-plain").get()).isNotNull();

        // the decrypted Secret went through the bundle table sealed: neither its value nor its base64 is stored in clear
        try (Connection db = DriverManager.getConnection(conflux.postgres().jdbcUrl(), conflux.postgres().username(),
                conflux.postgres().password());
             PreparedStatement clear = db.prepareStatement("select count(*) from bundle where content like ? or content like ?");
             PreparedStatement sealed = db.prepareStatement("select count(*) from bundle where content like 'conflux-aes-gcm:v1:%'")) {
            clear.setString(1, "%" + DB_PASSWORD + "%");
            clear.setString(2, "%" + base64(DB_PASSWORD) + "%");
            assertThat(count(clear)).as("bundles holding the SOPS-decrypted password in clear").isZero();
            assertThat(count(sealed)).as("sealed bundles").isPositive();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(8)
    void aKubeconfigWhoseUserRunsACommandIsRefusedAndNothingIsApplied() throws Exception {
        Path marker = PROJECT.resolve("e2e/target/kubeconfig-exec-" + System.nanoTime());
        String kubeconfig = Files.readString(conflux.kubeconfig()).replaceFirst("(?s)users:.*", """
                users:
                - name: %s
                  user:
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: sh
                      args: ['-c', 'touch %s']
                """.formatted(InMemoryKubernetes.CONTEXT, marker));
        apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: exec-kubeconfig, namespace: %s}
                data: {value: %s}
                """.formatted(NS, base64(kubeconfig)));
        kustomization("kubeconfig", "10m", """
                  kubeConfig:
                    secretRef: {name: exec-kubeconfig}
                """);
        await().atMost(CONVERGE).untilAsserted(() -> {
            Kustomization k = kustomization("kubeconfig");
            assertThat(k.getStatus()).isNotNull();
            Condition ready = Conditions.find(k.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.message()).isEqualTo("kubeconfig Secret '" + NS + "/exec-kubeconfig' key 'value':"
                    + " users[0].user.exec runs a command in the applier; refused (the operator may allow it with"
                    + " conflux.applier.insecure-kubeconfig-exec=true, as Flux's --insecure-kubeconfig-exec)");
        });
        assertThat(marker).doesNotExist();
        assertThat(client.configMaps().inNamespace(NS).withName("through-kubeconfig").get()).isNull();
    }

    private static long count(PreparedStatement query) throws SQLException {
        try (ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The Secret as {@code sops --encrypt --age <recipient> --encrypted-regex '^(data|stringData)$'} writes it. */
    private static String encryptedSecret(String recipient) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", "db-credentials");
        metadata.put("namespace", NS);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("username", base64("admin"));
        data.put("password", base64(DB_PASSWORD));
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", metadata);
        secret.put("type", "Opaque");
        secret.put("data", data);
        String yaml = SopsTestEncryptor.forRecipients(recipient).encryptedRegex("^(data|stringData)$").yaml(secret);
        assertThat(yaml).doesNotContain(base64(DB_PASSWORD)).contains("ENC[AES256_GCM");
        return yaml;
    }

    private static void kustomization(String name, String interval, String extraSpec) {
        apply("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: %s, namespace: %s}
                spec:
                  interval: %s
                  path: ./%s
                  prune: true
                  sourceRef: {kind: GitRepository, name: %s}
                %s""".formatted(name, NS, interval, name, SOURCE, extraSpec));
    }

    private static void apply(String yaml) {
        client.resource(yaml).fieldManager("e2e").forceConflicts().serverSideApply();
    }

    /** Commits the repository's changes and has the source fetched now ({@code conflux reconcile source git}, which waits for it). */
    private static String commit(String message) {
        String sha = FixtureRepositories.commitAll(repo, message);
        assertThat(cli("reconcile", "source", "git", SOURCE, "-n", NS)).isZero();
        return sha;
    }

    /** Runs the {@code conflux} command line in this JVM against the installation's cluster. */
    private static int cli(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = conflux.kubeconfig().toString();
        return Main.commandLine().execute(all);
    }

    private static Kustomization kustomization(String name) {
        Kustomization k = client.resources(Kustomization.class).inNamespace(NS).withName(name).get();
        assertThat(k).as("Kustomization %s", name).isNotNull();
        return k;
    }

    /** Ready=True for the current generation, with {@code sha} as the last applied revision. */
    private static void assertApplied(String name, String sha) {
        Kustomization k = kustomization(name);
        assertThat(k.getStatus()).as("status of %s", name).isNotNull();
        assertThat(Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration()))
                .as("%s Ready: %s", name, k.getStatus().conditions()).isTrue();
        assertThat(k.getStatus().lastAppliedRevision()).as("%s lastAppliedRevision", name).isEqualTo("main@sha1:" + sha);
    }

    private static List<JsonNode> history(String name) throws Exception {
        return ApplierHistory.attempts(conflux, "Kustomization", NS, name);
    }

    /** @return the events the notifier received about {@code object} ({@code Kind/namespace/name}), newest first */
    private static List<JsonNode> events(String object) throws Exception {
        String url = "http://127.0.0.1:" + conflux.service("notifier").httpPort() + "/api/events?limit=1000";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        List<JsonNode> events = new java.util.ArrayList<>();
        JSON.readTree(response.body()).forEach(e -> {
            if (object.equals(e.path("object").asText())) {
                events.add(e);
            }
        });
        return events;
    }

    private static String command(Job job) {
        return String.join(" ", job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand());
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
