package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.receiver.decide.Verdict.Decision;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Hostile webhook bodies (issue #11, defect 3): a correctly signed GitHub or GitLab payload nested 10,000 levels deep
 * is a 400 naming the bound, not a {@link StackOverflowError} or a 500.
 */
class HostileBodiesTest {
    private static final String TOKEN = "receiver-token";
    private static final byte[] DEEP = ("{\"ref\":\"refs/heads/main\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000)
            + "}").getBytes(StandardCharsets.UTF_8);

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static Verdict verify(String type, Map<String, String> headers) {
        Map<String, String> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ci.putAll(headers);
        return WebhookVerifier.verify(type, TOKEN, List.of(), ci::get, DEEP);
    }

    @Test
    void deeplyNestedSignedGithubPushIsABadRequestNamingTheBound() throws Exception {
        Verdict v = verify("github", Map.of("X-Hub-Signature-256", "sha256=" + hmac(DEEP), "X-GitHub-Event", "push"));
        assertThat(v.decision()).isEqualTo(Decision.REJECT);
        assertThat(v.status()).isEqualTo(400);
        assertThat(v.message()).contains("nesting depth").contains("1000");
    }

    @Test
    void deeplyNestedGitlabPushIsABadRequestNamingTheBound() {
        Verdict v = verify("gitlab", Map.of("X-Gitlab-Token", TOKEN, "X-Gitlab-Event", "Push Hook"));
        assertThat(v.status()).isEqualTo(400);
        assertThat(v.message()).contains("nesting depth");
    }
}
