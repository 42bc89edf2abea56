package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class WebhookPathTest {

    @Test
    void digestIsSha256OfTokenNameNamespaceAsFluxComputesIt() throws Exception {
        // Flux: fmt.Sprintf("/hook/%x", sha256.Sum256([]byte(token + name + namespace)))
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("my-token".getBytes(StandardCharsets.UTF_8));
        sha.update("github-receiver".getBytes(StandardCharsets.UTF_8));
        sha.update("flux-system".getBytes(StandardCharsets.UTF_8));
        String expected = String.format("%064x", new BigInteger(1, sha.digest()));

        assertThat(WebhookPath.of("my-token", "github-receiver", "flux-system")).isEqualTo("/hook/" + expected);
        assertThat(WebhookPath.digest("my-token", "github-receiver", "flux-system")).hasSize(64).matches("[0-9a-f]+");
        assertThat(WebhookPath.digest("my-token", "github-receiver", "default")).isNotEqualTo(expected);
    }

    @Test
    void matchesKnownVector() {
        // sha256("") = e3b0c442...; empty token, name and namespace concatenate to ""
        assertThat(WebhookPath.digest("", "", ""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
