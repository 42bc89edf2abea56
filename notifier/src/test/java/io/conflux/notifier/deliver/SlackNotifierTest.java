package io.conflux.notifier.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The Slack payload as Flux's {@code internal/notifier/slack.go} builds it, received by a local sink. */
class SlackNotifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ICON = "https://avatars.githubusercontent.com/u/52158677";

    static FluxEvent event(String severity) {
        return new FluxEvent(new FluxEvent.InvolvedObject("Kustomization", "flux-system", "apps", null,
                "kustomize.toolkit.fluxcd.io/v1", null), severity, "2026-11-21T22:00:00Z",
                "Deployment/default/web configured", "ReconciliationSucceeded",
                new TreeMap<>(Map.of("revision", "main@sha1:0123456789abcdef0123456789abcdef01234567", "summary", "prod")),
                "kustomize-controller", null);
    }

    static ProviderEndpoint slack(String address, String token, String username, String channel) {
        return new ProviderEndpoint("flux-system/slack", null, "slack", address, token, username, null, channel,
                Map.of(), null, Duration.ofSeconds(5), null);
    }

    private static JsonNode send(HttpSink sink, ProviderEndpoint endpoint, FluxEvent event) throws Exception {
        OutgoingRequest request = new Notifiers(ICON).request(endpoint, event).orElseThrow();
        DeliveryOutcome outcome = new HttpDelivery(new RetryPolicy(1, Duration.ZERO, Duration.ZERO), Duration.ofSeconds(2))
                .send(endpoint, request).await().indefinitely();
        assertThat(outcome.delivered()).isTrue();
        assertThat(sink.requests()).hasSize(1);
        return JSON.readTree(sink.requests().get(0).body());
    }

    @Test
    void infoEventIsAGoodAttachmentWithOneFieldPerMetadataEntry() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            JsonNode body = send(sink, slack(sink.url("/services/T0/B0/X"), null, null, null), event("info"));

            assertThat(sink.requests().get(0).path()).isEqualTo("/services/T0/B0/X");
            assertThat(sink.requests().get(0).method()).isEqualTo("POST");
            assertThat(sink.requests().get(0).header("Authorization")).isNull();
            assertThat(body.get("username").asText()).as("defaults to the reporting controller").isEqualTo("kustomize-controller");
            assertThat(body.get("channel").asText()).isEmpty();
            assertThat(body.get("icon_url").asText()).isEqualTo(ICON);
            assertThat(body.has("text")).isFalse();
            assertThat(body.get("attachments")).hasSize(1);
            JsonNode a = body.get("attachments").get(0);
            assertThat(a.get("color").asText()).isEqualTo("good");
            assertThat(a.get("author_name").asText()).isEqualTo("kustomization/apps.flux-system");
            assertThat(a.get("text").asText()).isEqualTo("Deployment/default/web configured");
            assertThat(a.get("mrkdwn_in")).hasSize(1);
            assertThat(a.get("mrkdwn_in").get(0).asText()).isEqualTo("text");
            assertThat(a.get("fields")).hasSize(2);
            JsonNode revision = a.get("fields").get(0);
            assertThat(revision.get("title").asText()).isEqualTo("revision");
            assertThat(revision.get("value").asText()).isEqualTo("main@sha1:0123456789abcdef0123456789abcdef01234567");
            assertThat(revision.get("short").isBoolean()).isTrue();
            assertThat(revision.get("short").asBoolean()).isFalse();
        }
    }

    @Test
    void errorEventIsDangerAndProviderSettingsAreUsed() throws Exception {
        try (HttpSink sink = HttpSink.start()) {
            JsonNode body = send(sink, slack(sink.url("/api/chat.postMessage"), "xoxb-1", "flux", "#ops"), event("error"));

            assertThat(body.get("attachments").get(0).get("color").asText()).isEqualTo("danger");
            assertThat(body.get("username").asText()).isEqualTo("flux");
            assertThat(body.get("channel").asText()).isEqualTo("#ops");
            assertThat(sink.requests().get(0).header("Authorization")).isEqualTo("Bearer xoxb-1");
        }
    }

    @Test
    void anInvalidAddressIsRejected() {
        Notifiers notifiers = new Notifiers(ICON);
        assertThatThrownBy(() -> notifiers.request(slack("not a url", null, null, null), event("info")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> notifiers.request(slack(null, null, null, null), event("info")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no address");
    }
}
