package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** AES-GCM sealing of bundles: round trip, rotation, tampering, configuration errors that never echo a key. */
class BundleCipherTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final String CONTENT = "[{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"password\":\"hunter2\"}}]";

    @Test
    void sealsWithTheFirstKeyAndOpensWithAnyListedOne() {
        String old = BundleCipher.generateKey("2025");
        BundleCipher before = BundleCipher.of(List.of(old));
        String sealed = before.seal(DIGEST, CONTENT);
        assertThat(sealed).startsWith(BundleCipher.PREFIX + "2025:").doesNotContain("hunter2").doesNotContain("Secret");
        assertThat(before.seal(DIGEST, CONTENT)).as("a fresh nonce each time").isNotEqualTo(sealed);

        BundleCipher rotated = BundleCipher.of(List.of(BundleCipher.generateKey("2026"), old));
        assertThat(rotated.open(DIGEST, sealed)).isEqualTo(CONTENT);
        assertThat(rotated.seal(DIGEST, CONTENT)).startsWith(BundleCipher.PREFIX + "2026:");
        assertThatThrownBy(() -> BundleCipher.of(List.of(BundleCipher.generateKey("2026"))).open(DIGEST, sealed))
                .hasMessage("bundle " + DIGEST + " is encrypted with key '2025', which is not in conflux.bundles.encryption-keys");
    }

    @Test
    void clearContentPassesThroughAndTamperingOrAnotherDigestIsRefused() {
        BundleCipher cipher = BundleCipher.of(List.of(BundleCipher.generateKey("k")));
        assertThat(cipher.open(DIGEST, "[]")).isEqualTo("[]");
        String sealed = cipher.seal(DIGEST, CONTENT);
        assertThatThrownBy(() -> cipher.open("sha256:" + "cd".repeat(32), sealed))
                .hasMessageContaining("cannot be decrypted with key 'k'");
        char last = sealed.charAt(sealed.length() - 3);
        String tampered = sealed.substring(0, sealed.length() - 3) + (last == 'A' ? 'B' : 'A') + sealed.substring(sealed.length() - 2);
        assertThatThrownBy(() -> cipher.open(DIGEST, tampered)).hasMessageContaining("cannot be decrypted");
    }

    @Test
    void badKeysAreNamedByPositionNeverEchoed() {
        assertThat(BundleCipher.of(List.of()).canSeal()).isFalse();
        assertThatThrownBy(() -> BundleCipher.of(List.of()).seal(DIGEST, CONTENT)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> BundleCipher.of(List.of("k:c2hvcnQta2V5LXZhbHVl")))
                .hasMessage("conflux.bundles.encryption-keys[0] (id 'k'): the key must be 32 bytes (AES-256), got 15")
                .hasMessageNotContaining("c2hvcnQ");
        assertThatThrownBy(() -> BundleCipher.of(List.of(BundleCipher.generateKey("a"), "not-a-key!")))
                .hasMessageStartingWith("conflux.bundles.encryption-keys[1]: expected <id>:<base64 of 32 bytes>");
        String key = BundleCipher.generateKey("a");
        assertThatThrownBy(() -> BundleCipher.of(List.of(key, key))).hasMessage("conflux.bundles.encryption-keys[1]: id 'a' is listed twice");
    }
}
