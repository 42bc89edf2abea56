package io.conflux.notifier.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.FluxEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Each provider type's request as a local stand-in of the real service receives it: path, headers and the body
 * fields the service reads (Flux's {@code internal/notifier/*.go} shapes).
 */
class ProviderPayloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private final Notifiers notifiers = new Notifiers("https://avatars.githubusercontent.com/u/52158677");

    static FluxEvent event(String severity, String reason) {
        return new FluxEvent(new FluxEvent.InvolvedObject("Kustomization", "flux-system", "apps", "uid-1",
                "kustomize.toolkit.fluxcd.io/v1", null), severity, "2026-11-21T22:00:00Z", "Health check failed",
                reason, new TreeMap<>(Map.of("revision", "main@sha1:" + SHA, "summary", "prod", "cluster", "eu-1")),
                "kustomize-controller", null);
    }

    static ProviderEndpoint endpoint(String type, String address, String token, Map<String, String> headers) {
        return new ProviderEndpoint("flux-system/p", "b7f3c2a1-0000-4000-8000-000000000000", type, address, token,
                null, null, null, headers, null, Duration.ofSeconds(5), null);
    }

    private HttpSink.Request send(HttpSink sink, ProviderEndpoint endpoint, FluxEvent event) {
        OutgoingRequest request = notifiers.request(endpoint, event).orElseThrow();
        DeliveryOutcome outcome = new HttpDelivery(new RetryPolicy(1, Duration.ZERO, Duration.ZERO), Duration.ofSeconds(2))
                .send(endpoint, request).await().indefinitely();
        assertThat(outcome.delivered()).as("delivered: %s", outcome.error()).isTrue();
        assertThat(sink.requests()).hasSize(1);
        assertThat(sink.requests().get(0).method()).isEqualTo("POST");
        return sink.requests().get(0);
    }

    @Test
    void discordUsesTheSlackCompatibleEndpointWithoutChannel() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("discord", sink.url("/api/webhooks/1/abc"), null, Map.of()),
                    event("error", "HealthCheckFailed"));
            assertThat(r.path()).isEqualTo("/api/webhooks/1/abc/slack");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("channel").asText()).isEmpty();
            assertThat(body.get("username").asText()).isEqualTo("kustomize-controller");
            assertThat(body.at("/attachments/0/color").asText()).isEqualTo("danger");
            assertThat(body.at("/attachments/0/author_name").asText()).isEqualTo("kustomization/apps.flux-system");
            assertThat(body.at("/attachments/0/fields")).hasSize(3);
        }
    }

    @Test
    void teamsWorkflowWebhookGetsAnAdaptiveCard() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("msteams", sink.url("/workflows/x/triggers/manual/paths/invoke?sig=1"),
                    null, Map.of()), event("error", "HealthCheckFailed"));
            assertThat(r.path()).isEqualTo("/workflows/x/triggers/manual/paths/invoke?sig=1");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("type").asText()).isEqualTo("message");
            JsonNode attachment = body.get("attachments").get(0);
            assertThat(attachment.get("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
            JsonNode content = attachment.get("content");
            assertThat(content.get("$schema").asText()).isEqualTo("http://adaptivecards.io/schemas/adaptive-card.json");
            assertThat(content.get("type").asText()).isEqualTo("AdaptiveCard");
            assertThat(content.get("version").asText()).isEqualTo("1.4");
            assertThat(content.at("/msteams/width").asText()).isEqualTo("Full");
            JsonNode items = content.at("/body/0/items");
            assertThat(content.at("/body/0/type").asText()).isEqualTo("Container");
            assertThat(items.get(0).get("type").asText()).isEqualTo("TextBlock");
            assertThat(items.get(0).get("text").asText()).isEqualTo("kustomization/apps.flux-system");
            assertThat(items.get(0).get("weight").asText()).isEqualTo("bolder");
            assertThat(items.get(1).get("text").asText()).isEqualTo("Health check failed");
            assertThat(items.get(1).get("color").asText()).isEqualTo("attention");
            assertThat(items.get(1).get("wrap").asBoolean()).isTrue();
            assertThat(items.get(2).get("type").asText()).isEqualTo("FactSet");
            assertThat(items.get(2).get("facts")).extracting(f -> f.get("title").asText())
                    .containsExactly("summary", "cluster", "revision");
        }
    }

    @Test
    void teamsLegacyConnectorGetsAMessageCard() throws Exception {
        OutgoingRequest request = notifiers.request(endpoint("msteams", "https://org.webhook.office.com/webhookb2/x", null,
                Map.of()), event("info", "ReconciliationSucceeded")).orElseThrow();
        JsonNode body = JSON.readTree(request.bodyText());
        assertThat(body.get("@type").asText()).isEqualTo("MessageCard");
        assertThat(body.get("themeColor").asText()).isEqualTo("0076D7");
        assertThat(body.at("/sections/0/activitySubtitle").asText()).isEqualTo("kustomization/apps.flux-system");
        assertThat(body.at("/sections/0/facts")).hasSize(3);
    }

    @Test
    void googleChatGetsACardAndSkipsProgressing() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("googlechat", sink.url("/v1/spaces/A/messages?key=k"), null, Map.of()),
                    event("error", "HealthCheckFailed"));
            JsonNode card = JSON.readTree(r.body()).get("cards").get(0);
            assertThat(card.at("/header/title").asText()).isEqualTo("kustomization/apps.flux-system");
            assertThat(card.at("/header/subtitle").asText()).isEqualTo("kustomize-controller");
            assertThat(card.at("/sections/0/widgets/0/textParagraph/text").asText())
                    .isEqualTo("<font color=\"#ff0000\">Health check failed</font>");
            JsonNode kv = card.at("/sections/1/widgets");
            assertThat(kv.get(0).at("/keyValue/topLabel").asText()).isEqualTo("TIMESTAMP");
            assertThat(kv.get(0).at("/keyValue/content").asText()).isEqualTo("2026-11-21 22:00:00 +0000 UTC");
            assertThat(kv).hasSize(4);
        }
        assertThat(notifiers.request(endpoint("googlechat", "https://chat.googleapis.com/v1", null, Map.of()),
                event("info", "Progressing"))).isEmpty();
    }

    @Test
    void genericPostsTheEventWithTheComponentHeaderAndSecretHeaders() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("generic", sink.url("/events"), null, Map.of("X-Team", "ops")),
                    event("info", "ReconciliationSucceeded"));
            assertThat(r.header("gotk-component")).isEqualTo("kustomize-controller");
            assertThat(r.header("X-Team")).isEqualTo("ops");
            assertThat(r.header("X-Signature")).isNull();
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.at("/involvedObject/kind").asText()).isEqualTo("Kustomization");
            assertThat(body.at("/involvedObject/name").asText()).isEqualTo("apps");
            assertThat(body.at("/involvedObject/namespace").asText()).isEqualTo("flux-system");
            assertThat(body.get("severity").asText()).isEqualTo("info");
            assertThat(body.get("timestamp").asText()).isEqualTo("2026-11-21T22:00:00Z");
            assertThat(body.get("reason").asText()).isEqualTo("ReconciliationSucceeded");
            assertThat(body.get("message").asText()).isEqualTo("Health check failed");
            assertThat(body.at("/metadata/revision").asText()).isEqualTo("main@sha1:" + SHA);
            assertThat(body.get("reportingController").asText()).isEqualTo("kustomize-controller");
        }
    }

    @Test
    void genericHmacSignsTheExactBodyWithTheToken() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("generic-hmac", sink.url("/hook"), "hmac-key", Map.of()),
                    event("info", "ReconciliationSucceeded"));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("hmac-key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = HexFormat.of().formatHex(mac.doFinal(r.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(r.header("X-Signature")).isEqualTo("sha256=" + expected);
        }
        assertThatThrownBy(() -> notifiers.request(endpoint("generic-hmac", "http://127.0.0.1/", null, Map.of()),
                event("info", "ReconciliationSucceeded"))).hasMessageContaining("token");
    }

    @Test
    void githubCommitStatusOnAnEnterpriseHost() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("github", sink.url("/org/repo.git"), "ghp_x", Map.of()),
                    event("error", "HealthCheckFailed"));
            assertThat(r.path()).isEqualTo("/api/v3/repos/org/repo/statuses/" + SHA);
            assertThat(r.header("Authorization")).isEqualTo("Bearer ghp_x");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("state").asText()).isEqualTo("failure");
            assertThat(body.get("context").asText()).isEqualTo("kustomization/apps");
            assertThat(body.get("description").asText()).isEqualTo("health check failed");
        }
    }

    @Test
    void githubDotComUsesTheApiHostAndEventsWithoutRevisionAreNotSent() {
        OutgoingRequest request = notifiers.request(endpoint("github", "https://github.com/org/repo", "t", Map.of()),
                event("info", "ReconciliationSucceeded")).orElseThrow();
        assertThat(request.uri().toString()).isEqualTo("https://api.github.com/repos/org/repo/statuses/" + SHA);
        assertThat(request.bodyText()).contains("\"state\":\"success\"");

        FluxEvent noRevision = new FluxEvent(event("info", "ReconciliationSucceeded").involvedObject(), "info",
                "2026-11-21T22:00:00Z", "m", "ReconciliationSucceeded", Map.of(), "c", null);
        assertThat(notifiers.request(endpoint("github", "https://github.com/org/repo", "t", Map.of()), noRevision)).isEmpty();
        assertThat(notifiers.request(endpoint("github", "https://github.com/org/repo", "t", Map.of()),
                event("info", "Progressing"))).isEmpty();
        assertThatThrownBy(() -> notifiers.request(endpoint("github", "https://github.com/org/repo", null, Map.of()),
                event("info", "ReconciliationSucceeded"))).hasMessageContaining("token");
    }

    @Test
    void gitlabCommitStatusOnTheProjectPath() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("gitlab", sink.url("/group/sub/project.git"), "glpat", Map.of()),
                    event("info", "ReconciliationSucceeded"));
            assertThat(r.path()).isEqualTo("/api/v4/projects/group%2Fsub%2Fproject/statuses/" + SHA);
            assertThat(r.header("PRIVATE-TOKEN")).isEqualTo("glpat");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("state").asText()).isEqualTo("success");
            assertThat(body.get("name").asText()).isEqualTo("kustomization/apps");
            assertThat(body.get("description").asText()).isEqualTo("reconciliation succeeded");
        }
    }

    @Test
    void alertmanagerGetsAFiringAlert() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            HttpSink.Request r = send(sink, endpoint("alertmanager", sink.url("/api/v2/alerts"), null, Map.of()),
                    event("error", "HealthCheckFailed"));
            JsonNode alerts = JSON.readTree(r.body());
            assertThat(alerts.isArray()).isTrue();
            assertThat(alerts).hasSize(1);
            JsonNode alert = alerts.get(0);
            assertThat(alert.get("status").asText()).isEqualTo("firing");
            assertThat(alert.at("/labels/alertname").asText()).isEqualTo("FluxKustomizationHealthCheckFailed");
            assertThat(alert.at("/labels/severity").asText()).isEqualTo("error");
            assertThat(alert.at("/labels/name").asText()).isEqualTo("apps");
            assertThat(alert.at("/labels/revision").asText()).isEqualTo("main@sha1:" + SHA);
            assertThat(alert.get("labels").has("summary")).isFalse();
            assertThat(alert.at("/annotations/summary").asText()).isEqualTo("prod");
            assertThat(alert.at("/annotations/message").asText()).isEqualTo("Health check failed");
        }
    }

    @Test
    void revisionsAndReasonsAreParsedAsFluxDoes() {
        assertThat(Payloads.commitHash("main@sha1:" + SHA)).isEqualTo(SHA);
        assertThat(Payloads.commitHash("sha1:" + SHA)).isEqualTo(SHA);
        assertThat(Payloads.commitHash("main/" + SHA)).isEqualTo(SHA);
        assertThat(Payloads.commitHash(SHA)).isEqualTo(SHA);
        assertThatThrownBy(() -> Payloads.commitHash("v1.2.3")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Payloads.splitCamelCase("ReconciliationSucceeded")).containsExactly("Reconciliation", "Succeeded");
        assertThat(Payloads.splitCamelCase("PDFLoader")).containsExactly("PDF", "Loader");
        assertThat(List.of(Payloads.gitAddress("git@github.com:org/repo.git"))).containsExactly("https://github.com", "org/repo");
        assertThat(List.of(Payloads.gitAddress("ssh://git@gitlab.example.com/g/p"))).containsExactly("https://gitlab.example.com", "g/p");
    }

    @Test
    void chatProvidersSkipCommitStatusUpdates() {
        FluxEvent update = new FluxEvent(event("info", "x").involvedObject(), "info", "2026-11-21T22:00:00Z", "m", "r",
                Map.of("commit_status", "update"), "c", null);
        for (String type : List.of("slack", "discord", "msteams", "googlechat", "alertmanager")) {
            assertThat(notifiers.request(endpoint(type, "https://example.com/x", null, Map.of()), update)).as(type).isEmpty();
        }
    }
}
