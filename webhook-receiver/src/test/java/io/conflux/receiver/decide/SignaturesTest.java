package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SignaturesTest {
    private static final byte[] TOKEN = "It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);

    @Test
    void acceptsGitHubsDocumentedExampleSignature() {
        // GitHub docs, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!"
        String documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assertThat(Signatures.verify(documented, BODY, TOKEN, Set.of("sha256"))).isTrue();
    }

    @Test
    void acceptsSignatureComputedIndependentlyAndRefusesForgeries() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TOKEN, "HmacSHA256"));
        String good = "sha256=" + HexFormat.of().formatHex(mac.doFinal(BODY));
        assertThat(Signatures.verify(good, BODY, TOKEN, Set.of("sha256"))).isTrue();
        assertThat(Signatures.verify(good.toUpperCase().replace("SHA256=", "sha256="), BODY, TOKEN, Set.of("sha256"))).isTrue();

        byte[] tampered = "Hello, World?".getBytes(StandardCharsets.UTF_8);
        assertThat(Signatures.verify(good, tampered, TOKEN, Set.of("sha256"))).isFalse();
        assertThat(Signatures.verify(good, BODY, "another secret".getBytes(StandardCharsets.UTF_8), Set.of("sha256"))).isFalse();
        String flipped = good.substring(0, good.length() - 1) + (good.endsWith("0") ? "1" : "0");
        assertThat(Signatures.verify(flipped, BODY, TOKEN, Set.of("sha256"))).isFalse();
        assertThat(Signatures.verify("sha256=" + good.substring(7, 20), BODY, TOKEN, Set.of("sha256"))).isFalse();
        assertThat(Signatures.verify("sha256=not-hex", BODY, TOKEN, Set.of("sha256"))).isFalse();
        assertThat(Signatures.verify(null, BODY, TOKEN, Set.of("sha256"))).isFalse();
        // a valid digest under an algorithm the receiver does not accept
        assertThat(Signatures.verify(good, BODY, TOKEN, Set.of("sha1"))).isFalse();
    }

    @Test
    void comparesTokensExactly() {
        assertThat(Signatures.tokenEquals("s3cret", "s3cret")).isTrue();
        assertThat(Signatures.tokenEquals("s3cret ", "s3cret")).isFalse();
        assertThat(Signatures.tokenEquals(null, "s3cret")).isFalse();
    }
}
