package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.sops.testing.SopsTestEncryptor;
import io.conflux.sops.testing.SopsTestEncryptor.AgeKey;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading age identities from a decryption Secret, as Flux imports them. */
class AgeIdentitiesTest {

    @Test
    void readsEveryAgekeyEntryWithCommentsAndBlankLines() throws Exception {
        AgeKey a = SopsTestEncryptor.generateKey();
        AgeKey b = SopsTestEncryptor.generateKey();
        AgeKey c = SopsTestEncryptor.generateKey();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("age.agekey", "# created: 2024-01-01T00:00:00Z\n# public key: " + a.recipient() + "\n" + a.identity()
                + "\n\n" + b.identity() + "\r\n");
        data.put("more.agekey", c.identity());
        data.put("identity.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----");
        data.put("agekey", "not read: no extension");

        AgeIdentities identities = AgeIdentities.fromSecret("sops-age", data);

        assertThat(identities.size()).isEqualTo(3);
        assertThat(identities.toString()).doesNotContain("AGE-SECRET-KEY");
        byte[] key = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(identities.decrypt(SopsTestEncryptor.seal(key, c.recipient()))).isEqualTo(key);
        assertThat(identities.decrypt(SopsTestEncryptor.seal(key, b.recipient()))).isEqualTo(key);
    }

    @Test
    void invalidLineFailsNamingTheEntryAndLineButNotTheContent() {
        Map<String, String> data = Map.of("age.agekey", "# ok\nAGE-SECRET-KEY-1NOTVALIDATALL\n");

        assertThatThrownBy(() -> AgeIdentities.fromSecret("sops-age", data))
                .isInstanceOf(SopsException.class)
                .hasMessage("Secret 'sops-age' entry 'age.agekey' line 2: invalid age identity");
        assertThatThrownBy(() -> AgeIdentities.fromSecret("sops-age", Map.of("x.agekey", "hunter2")))
                .hasMessageContaining("line 1: not an age X25519 identity").hasMessageNotContaining("hunter2");
    }

    @Test
    void noIdentitiesIsAKeyProblem() throws Exception {
        AgeIdentities none = AgeIdentities.fromSecret("empty", Map.of("other", "x"));

        assertThatThrownBy(() -> none.decrypt(SopsTestEncryptor.seal(new byte[32],
                SopsTestEncryptor.generateKey().recipient())))
                .hasMessageContaining("no age identities in Secret 'empty'")
                .matches(e -> ((SopsException) e).keyProblem());
    }
}
