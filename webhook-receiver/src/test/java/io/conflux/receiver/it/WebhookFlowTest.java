package io.conflux.receiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.testing.LocalSshGitServer;
import io.conflux.git.testing.SshKeys;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.Receiver;
import io.conflux.model.notification.ReceiverSpec;
import io.conflux.model.notification.ReceiverSpec.ResourceSelector;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.topic.Topics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

/**
 * The receiver end to end on real Kafka, PostgreSQL and an in-memory Kubernetes API: a GitRepository is polled
 * (ls-remote through a URL rewrite) and published; a signed GitHub push triggers an ls-remote whose revision is
 * published with its delivery id; a forged signature is refused and publishes nothing; a redelivery is answered 200
 * and publishes nothing twice; a push naming a commit the tracked branch does not point at changes nothing; a
 * Receiver naming other Flux kinds annotates them with {@code reconcile.fluxcd.io/requestedAt}; the control API
 * needs its bearer token.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedInfrastructure.class)
class WebhookFlowTest {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String NS = "default";
    private static final String TOKEN = "s3cr3t-webhook-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void pollThenSignedPushThenForgeryThenRedelivery() throws Exception {
        // a repository standing in for https://github.com/acme/infra.git
        Path work = EmbeddedInfrastructure.github.resolve("acme/infra.git");
        RevCommit first;
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            first = commit(git, work, "a.yaml", "kind: A\n");
        }
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("webhook-token").endMetadata()
                .addToStringData("token", TOKEN).build()).create();
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("infra").build());
        repo.setSpec(new GitRepositorySpec("https://github.com/acme/infra.git", GitRepositoryRef.branch("main"), "10m",
                null, null, null, null, null));
        kube.resource(repo).create();
        Receiver receiver = new Receiver();
        receiver.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("github-receiver").build());
        receiver.setSpec(new ReceiverSpec("github", null, List.of("ping", "push"),
                List.of(new ResourceSelector("source.toolkit.fluxcd.io/v1", "GitRepository", "infra", null, null)),
                new LocalObjectReference("webhook-token"), null));
        kube.resource(receiver).create();

        // Flux's rule, computed here independently: /hook/ + hex(sha256(token + name + namespace))
        String path = "/hook/" + String.format("%064x", new BigInteger(1, MessageDigest.getInstance("SHA-256")
                .digest((TOKEN + "github-receiver" + NS).getBytes(StandardCharsets.UTF_8))));
        Receiver served = await("Receiver status.webhookPath", () -> {
            Receiver r = kube.resources(Receiver.class).inNamespace(NS).withName("github-receiver").get();
            return r.getStatus() != null && path.equals(r.getStatus().webhookPath()) ? r : null;
        });
        assertThat(served.getStatus().conditions()).anySatisfy(c -> {
            assertThat(c.type()).isEqualTo("Ready");
            assertThat(c.status()).isEqualTo("True");
            assertThat(c.message()).isEqualTo("Receiver initialized for path: " + path);
        });

        // the first poll resolves main by ls-remote and publishes it
        String polled = "main@sha1:" + first.name();
        JsonNode pollRecord = awaitRecord(v -> polled.equals(v.path("revision").asText()));
        assertThat(pollRecord.path("trigger").asText()).isEqualTo("poll");
        GitRepository afterPoll = kube.resources(GitRepository.class).inNamespace(NS).withName("infra").get();
        assertThat(afterPoll.getStatus().conditions().stream().filter(c -> "Ready".equals(c.type()))
                .map(WebhookFlowTest::namedRevision).findFirst().orElse(null)).isEqualTo(polled);
        // the artifact (digest, path) is the renderer's to write once stored: until then, source-controller's Progressing
        assertThat(afterPoll.getStatus().artifact()).isNull();
        assertThat(afterPoll.getStatus().conditions()).anySatisfy(c -> {
            assertThat(c.type()).isEqualTo("Ready");
            assertThat(c.status()).isEqualTo("Unknown");
            assertThat(c.reason()).isEqualTo("Progressing");
            assertThat(c.message()).isEqualTo("building artifact: new upstream revision '" + polled + "'");
        });

        // a ping from a hook configured with the form content type: the raw form is what is signed
        String form = "payload=" + java.net.URLEncoder.encode("{\"zen\":\"Design for failure.\",\"hook_id\":1}",
                StandardCharsets.UTF_8);
        Map<String, String> formHeaders = new java.util.HashMap<>(signed(form, TOKEN, "ping", "ping-delivery"));
        formHeaders.put("Content-Type", "application/x-www-form-urlencoded");
        HttpResponse<String> ping = post(path, form, formHeaders);
        assertThat(ping.statusCode()).as(ping.body()).isEqualTo(200);
        assertThat(JSON.readTree(ping.body()).path("status").asText()).isEqualTo("ignored");

        // unknown path and malformed JSON
        assertThat(post("/hook/" + "0".repeat(64), "{}", Map.of()).statusCode()).isEqualTo(404);
        String broken = "{\"ref\": \"refs/heads/main\"";
        assertThat(post(path, broken, signed(broken, TOKEN, "push", "broken-delivery")).statusCode()).isEqualTo(400);

        // a signed push of a new commit on main
        RevCommit second;
        try (Git git = Git.open(work.toFile())) {
            second = commit(git, work, "b.yaml", "kind: B\n");
        }
        String delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
        String push = "{\"ref\":\"refs/heads/main\",\"before\":\"" + first.name() + "\",\"after\":\"" + second.name()
                + "\",\"repository\":{\"clone_url\":\"https://github.com/acme/infra.git\"}}";
        // the push comes with a W3C trace context (a proxy in front of the receiver traced it): one trace from here on
        Map<String, String> traced = new java.util.HashMap<>(signed(push, TOKEN, "push", delivery));
        traced.put("traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01");
        HttpResponse<String> accepted = post(path, push, traced);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        // the push only asks for a reconciliation: the source is polled (ls-remote) in the background
        assertThat(JSON.readTree(accepted.body()).path("polling").toString()).contains("GitRepository/default/infra");
        // what the delivery did is stored with its claim, as answered
        assertThat(JSON.readTree(deliveryOutcome("github:" + delivery))).isEqualTo(JSON.readTree(accepted.body()));
        String pushed = "main@sha1:" + second.name();
        awaitRecord(v -> delivery.equals(v.path("deliveryId").asText()));
        ConsumerRecord<String, String> webhookRecord = EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS).stream()
                .filter(r -> delivery.equals(value(r).path("deliveryId").asText())).findFirst().orElseThrow();
        assertThat(webhookRecord.key()).isEqualTo("GitRepository/default/infra");
        assertThat(value(webhookRecord).path("revision").asText()).isEqualTo(pushed);
        assertThat(value(webhookRecord).path("trigger").asText()).isEqualTo("webhook");
        // the webhook's receive time rides along (start of conflux_webhook_to_applied_seconds), and its trace:
        // request span → reconcile-requests record (outbox) → the owner's reconcile span → this record (outbox)
        assertThat(value(webhookRecord).path("webhookReceivedAt").asText()).isNotEmpty();
        String traceparent = io.conflux.service.TraceContext.traceparent(webhookRecord.headers());
        assertThat(traceparent).as("traceparent header of the published revision").isNotNull();
        assertThat(io.conflux.service.TraceContext.traceIds(List.of(traceparent))).containsExactly(TRACE_ID);
        assertThat(traceparent).doesNotContain("00f067aa0ba902b7");
        // status was written before the record was published
        assertThat(kube.resources(GitRepository.class).inNamespace(NS).withName("infra").get()
                .getStatus().conditions().stream().filter(c -> "Ready".equals(c.type()))
                .map(WebhookFlowTest::namedRevision).findFirst().orElse(null)).isEqualTo(pushed);

        // a forged signature: 401, nothing recorded, nothing published
        String forgedDelivery = "forged-" + delivery;
        HttpResponse<String> forged = post(path, push, signed(push, "guessed-token", "push", forgedDelivery));
        assertThat(forged.statusCode()).isEqualTo(401);

        // GitHub's "Redeliver": same delivery id, same signed body
        HttpResponse<String> redelivered = post(path, push, signed(push, TOKEN, "push", delivery));
        assertThat(redelivered.statusCode()).isEqualTo(200);
        assertThat(redelivered.body()).contains("already processed");

        List<ConsumerRecord<String, String>> all = EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS);
        assertThat(all.stream().filter(r -> delivery.equals(value(r).path("deliveryId").asText()))).hasSize(1);
        assertThat(all.stream().filter(r -> pushed.equals(value(r).path("revision").asText()))).hasSize(1);
        assertThat(all.stream().filter(r -> forgedDelivery.equals(value(r).path("deliveryId").asText()))).isEmpty();
        assertThat(deliveriesStored()).contains("github:" + delivery).doesNotContain("github:" + forgedDelivery);

        // conflux reconcile source git infra: ls-remote agrees with the push, so nothing new is published
        HttpResponse<String> manual = control("/api/reconcile/source/git/default/infra");
        assertThat(manual.statusCode()).as(manual.body()).isEqualTo(200);
        assertThat(JSON.readTree(manual.body()).path("result").asText()).isEqualTo("unchanged");
        assertThat(JSON.readTree(manual.body()).path("revision").asText()).isEqualTo(pushed);
        assertThat(EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS).stream().filter(r -> r.key().equals("GitRepository/default/infra")))
                .hasSameSizeAs(all.stream().filter(r -> r.key().equals("GitRepository/default/infra")).toList());
    }

    @Test
    void semverGitlabGenericHmacFailuresAndLimits() throws Exception {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("other-token").endMetadata()
                .addToStringData("token", "other-" + TOKEN).build()).create();

        // semver: the newest tag matching the constraint, release candidates excluded
        Path charts = EmbeddedInfrastructure.github.resolve("acme/charts.git");
        Map<String, RevCommit> tags = new java.util.LinkedHashMap<>();
        try (Git git = Git.init().setDirectory(charts.toFile()).setInitialBranch("main").call()) {
            for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
                tags.put(tag, commit(git, charts, "chart.yaml", "version: " + tag + "\n"));
                git.tag().setName(tag).setAnnotated(true).setMessage(tag).call();
            }
        }
        createSource("charts", "https://github.com/acme/charts.git",
                new GitRepositoryRef(null, null, ">=1.0.0 <2.0.0", null, null), Map.of("team", "platform"));
        String v110 = "v1.1.0@sha1:" + tags.get("v1.1.0").name();
        JsonNode semver = awaitRecord(v -> "GitRepository/default/charts".equals(v.path("source").asText())
                && v110.equals(v.path("revision").asText()));
        assertThat(semver.path("ref").path("semver").asText()).isEqualTo(">=1.0.0 <2.0.0");

        // ls-remote failure: Ready=False GitOperationFailed, nothing published
        createSource("missing", "https://github.com/acme/missing.git", GitRepositoryRef.branch("main"), Map.of());
        GitRepository missing = await("GitOperationFailed on missing", () -> {
            GitRepository g = kube.resources(GitRepository.class).inNamespace(NS).withName("missing").get();
            return g.getStatus() != null && g.getStatus().conditions() != null && g.getStatus().conditions().stream()
                    .anyMatch(c -> "Ready".equals(c.type()) && "False".equals(c.status())
                            && "GitOperationFailed".equals(c.reason())) ? g : null;
        });
        assertThat(missing.getStatus().artifact()).isNull();

        // generic-hmac with name "*" and matchLabels: an immediate poll of the labelled sources
        String hmacPath = createReceiver("hmac-receiver", "generic-hmac", "other-token", List.of(),
                new ResourceSelector(null, "GitRepository", "*", null, Map.of("team", "platform")));
        try (Git git = Git.open(charts.toFile())) {
            tags.put("v1.2.0", commit(git, charts, "chart.yaml", "version: v1.2.0\n"));
            git.tag().setName("v1.2.0").setAnnotated(true).setMessage("v1.2.0").call();
        }
        String body = "{\"reason\":\"release\"}";
        Map<String, String> hmacHeaders = Map.of("X-Signature", "sha256=" + hmacHex(body, "other-" + TOKEN));
        HttpResponse<String> triggered = post(hmacPath, body, hmacHeaders);
        assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(200);
        assertThat(JSON.readTree(triggered.body()).path("polling").toString()).contains("GitRepository/default/charts")
                .doesNotContain("GitRepository/default/infra");
        String v120 = "v1.2.0@sha1:" + tags.get("v1.2.0").name();
        JsonNode hmacRecord = awaitRecord(v -> v120.equals(v.path("revision").asText()));
        assertThat(hmacRecord.path("trigger").asText()).isEqualTo("webhook");
        // the same signed request again (a CI job posting the same body each time) is processed again, as in Flux:
        // there is no delivery id to tell a replay by, and nothing about it is stored
        HttpResponse<String> repeated = post(hmacPath, body, hmacHeaders);
        assertThat(repeated.statusCode()).as(repeated.body()).isEqualTo(200);
        assertThat(JSON.readTree(repeated.body()).path("status").asText()).isEqualTo("accepted");
        assertThat(JSON.readTree(repeated.body()).path("polling").toString()).contains("GitRepository/default/charts");
        assertThat(deliveriesStored()).noneMatch(k -> k.startsWith("generic-hmac"));
        assertThat(post(hmacPath, body, Map.of("X-Signature", "sha256=" + hmacHex(body, TOKEN))).statusCode()).isEqualTo(401);

        // gitlab: X-Gitlab-Token, Push Hook on the tracked branch publishes the pushed commit
        Path apps = EmbeddedInfrastructure.github.resolve("acme/apps.git");
        RevCommit appsFirst;
        try (Git git = Git.init().setDirectory(apps.toFile()).setInitialBranch("main").call()) {
            appsFirst = commit(git, apps, "app.yaml", "kind: App\n");
        }
        createSource("apps", "https://github.com/acme/apps.git", GitRepositoryRef.branch("main"), Map.of());
        awaitRecord(v -> ("main@sha1:" + appsFirst.name()).equals(v.path("revision").asText()));
        String gitlabPath = createReceiver("gitlab-receiver", "gitlab", "other-token", List.of("Push Hook"),
                new ResourceSelector(null, "GitRepository", "apps", null, null));
        RevCommit appsSecond;
        try (Git git = Git.open(apps.toFile())) {
            appsSecond = commit(git, apps, "app.yaml", "kind: App\nv: 2\n");
        }
        String gitlabPush = "{\"object_kind\":\"push\",\"ref\":\"refs/heads/main\",\"before\":\"" + appsFirst.name()
                + "\",\"after\":\"" + appsSecond.name() + "\",\"project\":{\"git_http_url\":\"https://github.com/acme/apps.git\"}}";
        Map<String, String> gitlabHeaders = Map.of("X-Gitlab-Token", "other-" + TOKEN, "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Event-UUID", "gl-1");
        assertThat(post(gitlabPath, gitlabPush, Map.of("X-Gitlab-Token", TOKEN, "X-Gitlab-Event", "Push Hook"))
                .statusCode()).isEqualTo(401);
        HttpResponse<String> gitlab = post(gitlabPath, gitlabPush, gitlabHeaders);
        assertThat(gitlab.statusCode()).as(gitlab.body()).isEqualTo(200);
        JsonNode gitlabRecord = awaitRecord(v -> "gl-1".equals(v.path("deliveryId").asText()));
        assertThat(gitlabRecord.path("revision").asText()).isEqualTo("main@sha1:" + appsSecond.name());
        // the same X-Gitlab-Event-UUID again is a redelivery: answered without effect
        HttpResponse<String> gitlabAgain = post(gitlabPath, gitlabPush, gitlabHeaders);
        assertThat(gitlabAgain.statusCode()).isEqualTo(200);
        assertThat(gitlabAgain.body()).contains("already processed");
        assertThat(deliveriesStored()).contains("gitlab:gl-1");

        // deleted and created again: a new object (new uid, generation 1) whose revision is published again
        String appsHead = "main@sha1:" + appsSecond.name();
        kube.resources(GitRepository.class).inNamespace(NS).withName("apps").delete();
        await("apps deleted", () -> kube.resources(GitRepository.class).inNamespace(NS).withName("apps").get() == null ? true : null);
        createSource("apps", "https://github.com/acme/apps.git", GitRepositoryRef.branch("main"), Map.of());
        JsonNode again = awaitRecord(v -> "GitRepository/default/apps".equals(v.path("source").asText())
                && appsHead.equals(v.path("revision").asText()) && "poll".equals(v.path("trigger").asText()));
        assertThat(again.path("generation").asLong()).isEqualTo(1);

        // flux reconcile source git apps: the requestedAt annotation is handled and echoed in status
        kube.resources(GitRepository.class).inNamespace(NS).withName("apps").edit(g -> {
            g.getMetadata().setAnnotations(Map.of("reconcile.fluxcd.io/requestedAt", "2026-11-21T23:00:00Z"));
            return g;
        });
        await("lastHandledReconcileAt", () -> {
            Object status = kube.genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository")
                    .inNamespace(NS).withName("apps").get().getAdditionalProperties().get("status");
            return status instanceof Map<?, ?> m && "2026-11-21T23:00:00Z".equals(m.get("lastHandledReconcileAt")) ? m : null;
        });

        // suspended: the manual reconcile API refuses, nothing is resolved
        GitRepository paused = new GitRepository();
        paused.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("paused").build());
        paused.setSpec(new GitRepositorySpec("https://github.com/acme/apps.git", GitRepositoryRef.branch("main"), "10m",
                null, null, true, null, null));
        kube.resource(paused).create();
        HttpResponse<String> refused = await("paused cached", () -> {
            try {
                HttpResponse<String> r = control("/api/reconcile/source/git/default/paused");
                return r.statusCode() == 404 ? null : r;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).path("result").asText()).isEqualTo("suspended");
        assertThat(kube.resources(GitRepository.class).inNamespace(NS).withName("paused").get().getStatus()).isNull();

        // a body over conflux.receiver.max-body-size (1 MiB)
        assertThat(post(gitlabPath, "x".repeat(1024 * 1024 + 1), gitlabHeaders).statusCode()).isEqualTo(413);

        // the rate limit: 60 verified requests per hour per Receiver in this test
        String burstPath = createReceiver("burst-receiver", "generic", "other-token", List.of());
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            codes.add(post(burstPath, "", Map.of()).statusCode());
        }
        assertThat(codes.subList(0, 60)).containsOnly(200);
        assertThat(codes.get(60)).isEqualTo(429);
    }

    /**
     * Issue #11: the control API is not open on the webhook port: without the bearer token of
     * {@code conflux.receiver.control-token-file}, or with another, a reconcile request is refused and nothing is
     * resolved or published; with it, the source is reconciled at once.
     */
    @Test
    void controlApiNeedsItsBearerToken() throws Exception {
        Path work = EmbeddedInfrastructure.github.resolve("acme/control.git");
        RevCommit first;
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            first = commit(git, work, "a.yaml", "kind: A\n");
        }
        createSource("control", "https://github.com/acme/control.git", GitRepositoryRef.branch("main"), Map.of());
        awaitRecord(v -> ("main@sha1:" + first.name()).equals(v.path("revision").asText()));
        RevCommit second;
        try (Git git = Git.open(work.toFile())) {
            second = commit(git, work, "a.yaml", "kind: A\nv: 2\n");
        }
        String moved = "main@sha1:" + second.name();
        for (Map<String, String> headers : List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer guessed"),
                Map.of("Authorization", "Basic " + EmbeddedInfrastructure.CONTROL_TOKEN))) {
            HttpResponse<String> unauthenticated = post("/api/reconcile/source/git/default/control", "", headers);
            assertThat(unauthenticated.statusCode()).as(unauthenticated.body()).isEqualTo(401);
            assertThat(unauthenticated.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(unauthenticated.body()).doesNotContain(EmbeddedInfrastructure.CONTROL_TOKEN);
        }
        assertThat(EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS).stream().map(WebhookFlowTest::value).map(v -> v.path("revision").asText())).doesNotContain(moved);
        assertThat(kube().resources(GitRepository.class).inNamespace(NS).withName("control").get()
                .getStatus().conditions().stream().filter(c -> "Ready".equals(c.type()))
                .map(WebhookFlowTest::namedRevision).findFirst().orElse(null)).isEqualTo("main@sha1:" + first.name());

        HttpResponse<String> authenticated = control("/api/reconcile/source/git/default/control");
        assertThat(authenticated.statusCode()).as(authenticated.body()).isEqualTo(200);
        assertThat(JSON.readTree(authenticated.body()).path("result").asText()).isEqualTo("published");
        assertThat(JSON.readTree(authenticated.body()).path("revision").asText()).isEqualTo(moved);
    }

    /**
     * Issue #11: the per-Receiver rate limit counts verified requests only, so requests without a valid signature
     * cannot spend a Receiver's budget and lock out its real pushes.
     */
    @Test
    void unsignedRequestsDoNotLockOutSignedOnes() throws Exception {
        kube().resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("lockout-token").endMetadata()
                .addToStringData("token", "lockout-" + TOKEN).build()).create();
        String path = createReceiver("lockout-receiver", "generic-hmac", "lockout-token", List.of());
        String body = "{\"reason\":\"release\"}";
        // more than the 60 requests per hour the tests allow a Receiver
        for (int i = 0; i < 61; i++) {
            HttpResponse<String> unsigned = post(path, body, i % 2 == 0 ? Map.of()
                    : Map.of("X-Signature", "sha256=" + hmacHex(body, "guessed")));
            assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(401);
        }
        HttpResponse<String> signed = post(path, body, Map.of("X-Signature", "sha256=" + hmacHex(body, "lockout-" + TOKEN)));
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        assertThat(JSON.readTree(signed.body()).path("status").asText()).isEqualTo("accepted");
    }

    private static KubernetesClient kube() {
        return EmbeddedInfrastructure.kube.client();
    }

    /**
     * Issue #11: a push signed with the Receiver's own token (a token holder, or a replay) naming a commit that the
     * tracked branch does not point at — here the tip of another branch, with {@code before} set to the recorded
     * commit so that it looks like a continuation — changes nothing: the GitRepository stays at what ls-remote says
     * {@code main} points at, and no record names the other commit.
     */
    @Test
    void forgedGitlabPushNamingAnotherBranchsCommitChangesNothing() throws Exception {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("forge-token").endMetadata()
                .addToStringData("token", "forge-" + TOKEN).build()).create();
        Path work = EmbeddedInfrastructure.github.resolve("acme/tenant.git");
        RevCommit tip;
        RevCommit other;
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            tip = commit(git, work, "app.yaml", "kind: App\n");
            git.checkout().setCreateBranch(true).setName("attacker").call();
            other = commit(git, work, "app.yaml", "kind: Backdoor\n");
            git.checkout().setName("main").call();
        }
        createSource("tenant", "https://github.com/acme/tenant.git", GitRepositoryRef.branch("main"), Map.of());
        String tracked = "main@sha1:" + tip.name();
        awaitRecord(v -> "GitRepository/default/tenant".equals(v.path("source").asText())
                && tracked.equals(v.path("revision").asText()));
        String path = createReceiver("tenant-gitlab", "gitlab", "forge-token", List.of("Push Hook"),
                new ResourceSelector(null, "GitRepository", "tenant", null, null));

        String forged = "{\"object_kind\":\"push\",\"ref\":\"refs/heads/main\",\"before\":\"" + tip.name()
                + "\",\"after\":\"" + other.name() + "\",\"project\":{\"git_http_url\":\"https://github.com/acme/tenant.git\"}}";
        HttpResponse<String> answered = post(path, forged, Map.of("X-Gitlab-Token", "forge-" + TOKEN,
                "X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", "forged-1"));
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        // a branch creation naming it, as well
        String created = forged.replace("\"before\":\"" + tip.name(), "\"before\":\"" + "0".repeat(40));
        assertThat(post(path, created, Map.of("X-Gitlab-Token", "forge-" + TOKEN, "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Event-UUID", "forged-2")).statusCode()).isEqualTo(200);

        // a real push to main afterwards is published at main's tip; by then the forged requests were handled
        RevCommit next;
        try (Git git = Git.open(work.toFile())) {
            next = commit(git, work, "app.yaml", "kind: App\nv: 2\n");
        }
        String real = forged.replace(other.name(), next.name());
        assertThat(post(path, real, Map.of("X-Gitlab-Token", "forge-" + TOKEN, "X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Event-UUID", "real-1")).statusCode()).isEqualTo(200);
        String nextRevision = "main@sha1:" + next.name();
        awaitRecord(v -> "GitRepository/default/tenant".equals(v.path("source").asText())
                && nextRevision.equals(v.path("revision").asText()));

        assertThat(EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS).stream().map(WebhookFlowTest::value)
                .filter(v -> "GitRepository/default/tenant".equals(v.path("source").asText()))
                .map(v -> v.path("revision").asText()))
                .containsOnly(tracked, nextRevision)
                .noneMatch(r -> r.contains(other.name()));
        assertThat(kube.resources(GitRepository.class).inNamespace(NS).withName("tenant").get()
                .getStatus().conditions().stream().filter(c -> "Ready".equals(c.type()))
                .map(WebhookFlowTest::namedRevision).findFirst().orElse(null)).isEqualTo(nextRevision);
    }

    /**
     * Issue #11: a Receiver whose Secret has an empty {@code token} would be served at a path anyone can compute from
     * its name and namespace; it is refused ({@code Ready=False}, naming the Secret and the field) and not served.
     */
    @Test
    void receiverWithAnEmptyTokenIsNotServed() throws Exception {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("empty-token").endMetadata()
                .addToStringData("token", "").build()).create();
        Receiver receiver = new Receiver();
        receiver.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("open-receiver").build());
        receiver.setSpec(new ReceiverSpec("generic", null, List.of(),
                List.of(new ResourceSelector(null, "GitRepository", "infra", null, null)),
                new LocalObjectReference("empty-token"), null));
        kube.resource(receiver).create();

        io.conflux.model.meta.Condition ready = await("open-receiver Ready=False", () -> {
            Receiver r = kube.resources(Receiver.class).inNamespace(NS).withName("open-receiver").get();
            return r.getStatus() == null || r.getStatus().conditions() == null ? null : r.getStatus().conditions().stream()
                    .filter(c -> "Ready".equals(c.type()) && "False".equals(c.status())).findFirst().orElse(null);
        });
        assertThat(ready.reason()).isEqualTo("TokenNotFound");
        assertThat(ready.message()).contains("default/empty-token").contains("'token'").contains("empty");
        assertThat(kube.resources(Receiver.class).inNamespace(NS).withName("open-receiver").get().getStatus().webhookPath())
                .isNull();
        // the path Flux's rule gives for the empty token is not served
        String computable = "/hook/" + String.format("%064x", new BigInteger(1, MessageDigest.getInstance("SHA-256")
                .digest(("open-receiver" + NS).getBytes(StandardCharsets.UTF_8))));
        assertThat(post(computable, "", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void sshSourcesArePolledAndReconciledOnDemandWithStrictHostKeys() throws Exception {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        Path served = Files.createTempDirectory("ssh-repos");
        Path work = served.resolve("acme/platform");
        Map<String, RevCommit> tags = new java.util.LinkedHashMap<>();
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            for (String tag : List.of("v1.0.0", "v1.1.0", "v2.0.0-rc.1")) {
                tags.put(tag, commit(git, work, "platform.yaml", "version: " + tag + "\n"));
                git.tag().setName(tag).setAnnotated(true).setMessage(tag).call();
            }
        }
        SshKeys client = SshKeys.generate();
        LocalSshGitServer server = LocalSshGitServer.start(served, client.keyPair().getPublic());
        try {
            kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("ssh-auth").endMetadata()
                    .addToStringData("identity", client.privateKey())
                    .addToStringData("identity.pub", client.publicKey())
                    .addToStringData("known_hosts", server.knownHosts()).build()).create();
            kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("ssh-wrong-host").endMetadata()
                    .addToStringData("identity", client.privateKey())
                    .addToStringData("known_hosts", SshKeys.generate().knownHostsLine("127.0.0.1", server.port())).build()).create();
            GitRepositoryRef semver = new GitRepositoryRef(null, null, ">=1.0.0 <2.0.0", null, null);
            createSshSource("platform-ssh", server.url("acme/platform"), semver, "ssh-auth");

            // polled over SSH: the newest 1.x tag, in Flux's revision format
            String v110 = "v1.1.0@sha1:" + tags.get("v1.1.0").name();
            awaitRecord(v -> "GitRepository/default/platform-ssh".equals(v.path("source").asText())
                    && v110.equals(v.path("revision").asText()));
            assertThat(readyCondition("platform-ssh", "Unknown").reason()).isEqualTo("Progressing");

            // flux reconcile source git: resolved at once over SSH
            HttpResponse<String> manual = control("/api/reconcile/source/git/default/platform-ssh");
            assertThat(manual.statusCode()).as(manual.body()).isEqualTo(200);
            assertThat(JSON.readTree(manual.body()).path("revision").asText()).isEqualTo(v110);

            // a known_hosts naming another key for the host: refused, Ready=False with the reason, no artifact
            createSshSource("platform-wrong-host", server.url("acme/platform"), semver, "ssh-wrong-host");
            var mismatch = readyCondition("platform-wrong-host", "False");
            assertThat(mismatch.reason()).isEqualTo("GitOperationFailed");
            assertThat(mismatch.message()).contains("does not match known_hosts");
            HttpResponse<String> refused = control("/api/reconcile/source/git/default/platform-wrong-host");
            assertThat(refused.statusCode()).isEqualTo(502);
            assertThat(JSON.readTree(refused.body()).path("message").asText()).contains("host key verification failed");
            assertThat(kube.resources(GitRepository.class).inNamespace(NS).withName("platform-wrong-host").get()
                    .getStatus().artifact()).isNull();

            // an SSH URL without a Secret: Flux's AuthenticationFailed
            createSshSource("platform-no-secret", server.url("acme/platform"), semver, null);
            var noSecret = readyCondition("platform-no-secret", "False");
            assertThat(noSecret.reason()).isEqualTo("AuthenticationFailed");
            assertThat(noSecret.message()).contains("'identity' is required");
        } finally {
            server.close();
        }

        // the server is gone: Ready=False with the reason, the last good revision still served
        HttpResponse<String> unreachable = control("/api/reconcile/source/git/default/platform-ssh");
        assertThat(unreachable.statusCode()).as(unreachable.body()).isEqualTo(502);
        var down = readyCondition("platform-ssh", "False");
        assertThat(down.reason()).isEqualTo("GitOperationFailed");
        assertThat(down.message()).contains(server.url("acme/platform"));
        // the receiver never writes status.artifact (the renderer keeps the last stored one: SourceOutageTest)
        assertThat(kube.resources(GitRepository.class).inNamespace(NS).withName("platform-ssh").get()
                .getStatus().artifact()).isNull();
    }

    @Test
    void genericReceiverAnnotatesKustomizationsHelmReleasesAndOtherFluxKinds() throws Exception {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("annotate-token").endMetadata()
                .addToStringData("token", "annotate-" + TOKEN).build()).create();
        kube.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization").inNamespace(NS)
                .resource(flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps-ks", Map.of(), Map.of(
                        "interval", "10m", "path", "./apps", "prune", true,
                        "sourceRef", Map.of("kind", "GitRepository", "name", "infra")))).create();
        Map<String, Object> chart = Map.of("chart", Map.of("spec", Map.of("chart", "podinfo",
                "sourceRef", Map.of("kind", "HelmRepository", "name", "podinfo"))), "interval", "10m");
        for (String[] release : new String[][] {{"podinfo", "web"}, {"redis", "db"}}) {
            kube.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease").inNamespace(NS)
                    .resource(flux("helm.toolkit.fluxcd.io/v2", "HelmRelease", release[0], Map.of("team", release[1]), chart))
                    .create();
        }
        String path = createReceiver("annotating-receiver", "generic", "annotate-token", List.of(),
                new ResourceSelector(null, "Kustomization", "apps-ks", null, null),
                new ResourceSelector(null, "Kustomization", "missing-ks", null, null),
                new ResourceSelector("helm.toolkit.fluxcd.io/v2", "HelmRelease", "*", NS, Map.of("team", "web")),
                // a Flux kind Conflux serves, with no such object
                new ResourceSelector(null, "OCIRepository", "manifests", null, null),
                // a Flux kind the API server has no CRD for (image automation is not Conflux's)
                new ResourceSelector(null, "ImageRepository", "podinfo", null, null));

        HttpResponse<String> first = post(path, "", Map.of());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode requested = JSON.readTree(first.body()).path("requested");
        assertThat(requested.path("Kustomization/default/apps-ks").path("result").asText()).isEqualTo("annotated");
        assertThat(requested.path("HelmRelease/default/podinfo").path("result").asText()).isEqualTo("annotated");
        assertThat(requested.has("HelmRelease/default/redis")).as(first.body()).isFalse();
        assertThat(requested.path("Kustomization/default/missing-ks").path("result").asText()).isEqualTo("not_found");
        assertThat(requested.path("Kustomization/default/missing-ks").path("message").asText()).contains("not found");
        assertThat(requested.path("OCIRepository/default/manifests").path("result").asText()).isEqualTo("not_found");
        assertThat(requested.path("ImageRepository/default/podinfo").path("result").asText()).isEqualTo("skipped");
        String requestedAt = requested.path("Kustomization/default/apps-ks").path("requestedAt").asText();
        assertThat(Instant.parse(requestedAt)).isBefore(Instant.now().plusSeconds(1));
        assertThat(requestedAt(kube, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps-ks")).isEqualTo(requestedAt);
        assertThat(requestedAt(kube, "helm.toolkit.fluxcd.io/v2", "HelmRelease", "podinfo")).isEqualTo(requestedAt);
        assertThat(requestedAt(kube, "helm.toolkit.fluxcd.io/v2", "HelmRelease", "redis")).isNull();

        // the same request again is a new request for reconciliation: a new value the controllers see change
        Thread.sleep(5);
        HttpResponse<String> second = post(path, "", Map.of());
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        String again = JSON.readTree(second.body()).path("requested").path("Kustomization/default/apps-ks")
                .path("requestedAt").asText();
        assertThat(again).isNotEqualTo(requestedAt);
        assertThat(requestedAt(kube, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps-ks")).isEqualTo(again);
    }

    private static GenericKubernetesResource flux(String apiVersion, String kind, String name, Map<String, String> labels,
                                                  Map<String, Object> spec) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(apiVersion);
        r.setKind(kind);
        r.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).withLabels(labels).build());
        r.setAdditionalProperty("spec", spec);
        return r;
    }

    private static String requestedAt(KubernetesClient kube, String apiVersion, String kind, String name) {
        Map<String, String> annotations = kube.genericKubernetesResources(apiVersion, kind).inNamespace(NS).withName(name)
                .get().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get("reconcile.fluxcd.io/requestedAt");
    }

    /**
     * @return the revision a Ready message names ({@code building artifact: new upstream revision '<rev>'} from the
     *         receiver, {@code stored artifact for revision '<rev>'} once stored), null for another message
     */
    private static String namedRevision(io.conflux.model.meta.Condition ready) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("revision '([^']+)'$").matcher(ready.message());
        return m.find() ? m.group(1) : null;
    }

    private static io.conflux.model.meta.Condition readyCondition(String name, String status) {
        return await(name + " Ready=" + status, () -> {
            GitRepository g = EmbeddedInfrastructure.kube.client().resources(GitRepository.class).inNamespace(NS)
                    .withName(name).get();
            return g == null || g.getStatus() == null || g.getStatus().conditions() == null ? null
                    : g.getStatus().conditions().stream()
                    .filter(c -> "Ready".equals(c.type()) && status.equals(c.status())).findFirst().orElse(null);
        });
    }

    private static void createSshSource(String name, String url, GitRepositoryRef ref, String secret) {
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        repo.setSpec(new GitRepositorySpec(url, ref, "10m", "20s", secret == null ? null : new LocalObjectReference(secret),
                null, null, null));
        EmbeddedInfrastructure.kube.client().resource(repo).create();
    }

    private static void createSource(String name, String url, GitRepositoryRef ref, Map<String, String> labels) {
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).withLabels(labels).build());
        repo.setSpec(new GitRepositorySpec(url, ref, "10m", "20s", null, null, null, null));
        EmbeddedInfrastructure.kube.client().resource(repo).create();
    }

    /** Creates a Receiver and waits until it is served; returns its path. */
    private static String createReceiver(String name, String type, String secret, List<String> events,
                                         ResourceSelector... resources) {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        Receiver receiver = new Receiver();
        receiver.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        receiver.setSpec(new ReceiverSpec(type, null, events, List.of(resources), new LocalObjectReference(secret), null));
        kube.resource(receiver).create();
        return await("Receiver " + name + " served", () -> {
            Receiver r = kube.resources(Receiver.class).inNamespace(NS).withName(name).get();
            return r.getStatus() == null ? null : r.getStatus().webhookPath();
        });
    }

    private static String hmacHex(String body, String key) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static RevCommit commit(Git git, Path work, String file, String content) throws Exception {
        Files.writeString(work.resolve(file), content);
        git.add().addFilepattern(".").call();
        return git.commit().setMessage("add " + file).setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
    }

    private static Map<String, String> signed(String body, String key, String event, String delivery) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        return Map.of("X-Hub-Signature-256", signature, "X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
                "Content-Type", "application/json");
    }

    private HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A control API call with its bearer token. */
    private HttpResponse<String> control(String path) throws Exception {
        return post(path, "", Map.of("Authorization", "Bearer " + EmbeddedInfrastructure.CONTROL_TOKEN));
    }

    private static JsonNode value(ConsumerRecord<String, String> r) {
        try {
            return JSON.readTree(r.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    private static JsonNode awaitRecord(Predicate<JsonNode> wanted) {
        return await("a record on " + Topics.SOURCE_REVISIONS, () -> EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS).stream().map(WebhookFlowTest::value)
                .filter(wanted).findFirst().orElse(null));
    }

    /** @return the stored outcome of delivery {@code key}, null while it has none */
    private static String deliveryOutcome(String key) throws Exception {
        try (Connection c = DriverManager.getConnection(EmbeddedInfrastructure.postgres.jdbcUrl(),
                EmbeddedInfrastructure.postgres.username(), EmbeddedInfrastructure.postgres.password());
             PreparedStatement s = c.prepareStatement("SELECT outcome FROM webhook_delivery WHERE delivery_key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static List<String> deliveriesStored() throws Exception {
        List<String> keys = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(EmbeddedInfrastructure.postgres.jdbcUrl(),
                EmbeddedInfrastructure.postgres.username(), EmbeddedInfrastructure.postgres.password());
             PreparedStatement s = c.prepareStatement("SELECT delivery_key FROM webhook_delivery");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
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
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("gave up waiting for " + what);
    }
}
