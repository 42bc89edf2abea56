package io.conflux.notifier.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.topic.FluxEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Provider's address, proxy and headers are credentials (a Slack webhook's path, a token in a query, a proxy's
 * {@code user:password@}); the messages about them that reach logs, the deliveries table and the CLI show at most
 * the scheme and host.
 */
class SecretFreeMessagesTest {
    private static final String CANARY = "c4n4ry-7f3a9e";

    private static ProviderEndpoint endpoint(String type, String address, String proxy, Map<String, String> headers) {
        return new ProviderEndpoint("ns/p", null, type, address, null, null, null, null, headers, proxy,
                Duration.ofSeconds(5), null);
    }

    private static FluxEvent event() {
        return new FluxEvent(new FluxEvent.InvolvedObject("Kustomization", "ns", "app", null, null, null), "error",
                "2026-01-01T00:00:00Z", "boom", "BuildFailed", Map.of(), "kustomize-controller", null);
    }

    @Test
    void anInvalidWebhookAddressIsNamedByHostOnly() {
        String address = "https://hooks.slack.com/services/T0/B0/" + CANARY + " x";
        assertThatThrownBy(() -> Payloads.address(endpoint("slack", address, null, Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid slack address")
                .hasMessageContaining("Illegal character in path at index")
                .hasNoCause()
                .message().doesNotContain(CANARY);
        assertThatThrownBy(() -> Payloads.address(endpoint("slack", "hooks.slack.com/services/" + CANARY, null, Map.of())))
                .hasMessageContaining("invalid slack address (not a URL, ")
                .message().doesNotContain(CANARY);
        assertThatThrownBy(() -> Payloads.address(endpoint("msteams", "ftp://" + CANARY + "@example.com/x?t=" + CANARY,
                null, Map.of())))
                .hasMessageContaining("invalid msteams address ftp://example.com/…")
                .message().doesNotContain(CANARY);
    }

    @Test
    void anInvalidGitAddressIsNamedByHostOnly() {
        assertThatThrownBy(() -> Payloads.gitAddress("https://" + CANARY + "@github.com/org/repo x"))
                .hasMessageContaining("invalid git address")
                .message().doesNotContain(CANARY);
    }

    @Test
    void anInvalidProxyIsNamedByHostOnly() {
        DeliveryOutcome outcome = new HttpDelivery(new RetryPolicy(1, Duration.ZERO, Duration.ZERO), Duration.ofSeconds(1))
                .send(endpoint("generic", "http://127.0.0.1:1/", "http://user:" + CANARY + "@proxy .local:3128", Map.of()),
                        new OutgoingRequest("POST", URI.create("http://127.0.0.1:1/"), Map.of(),
                                "{}".getBytes(StandardCharsets.UTF_8)))
                .await().indefinitely();
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.error()).contains("invalid proxy URL").doesNotContain(CANARY);
    }

    @Test
    void aHeaderValueTheJdkRefusesIsNotShown() {
        DeliveryOutcome outcome = new HttpDelivery(new RetryPolicy(1, Duration.ZERO, Duration.ZERO), Duration.ofSeconds(1))
                .send(endpoint("generic", "http://127.0.0.1:1/", null, Map.of()),
                        new OutgoingRequest("POST", URI.create("http://127.0.0.1:1/"),
                                Map.of("Authorization", "Bearer " + CANARY + "\r\nX: y"), "{}".getBytes(StandardCharsets.UTF_8)))
                .await().indefinitely();
        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.error()).contains("invalid header value").doesNotContain(CANARY);
    }

    @Test
    void sendingToAnInvalidAddressFailsWithoutIt() {
        assertThatThrownBy(() -> new SlackNotifier(null, false).request(endpoint("slack", "https://hooks.slack.com/" + CANARY + "|",
                null, Map.of()), event()))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain(CANARY);
    }
}
