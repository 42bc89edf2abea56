package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.conflux.sops.testing.SopsTestEncryptor;
import io.conflux.sops.testing.SopsTestEncryptor.AgeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Decrypts documents written by the test-side encryptor, in every format, and rejects what SOPS rejects. */
class SopsDecryptorTest {
    static final AgeKey KEY = SopsTestEncryptor.generateKey();
    static final AgeKey OTHER = SopsTestEncryptor.generateKey();

    static SopsDecryptor decryptor(AgeKey... keys) throws SopsException {
        StringBuilder text = new StringBuilder("# test identities\n");
        for (AgeKey k : keys) {
            text.append("# public key: ").append(k.recipient()).append('\n').append(k.identity()).append('\n');
        }
        return new SopsDecryptor(AgeIdentities.fromSecret("sops-age", Map.of("age.agekey", text.toString())));
    }

    static Map<String, Object> document() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("password", "s3cret-value");
        data.put("port", 5432);
        data.put("ratio", 0.5);
        data.put("enabled", true);
        data.put("empty", "");
        data.put("hosts", new ArrayList<>(List.of("a.example", "b.example")));
        data.put("nested", new LinkedHashMap<>(Map.of("inner", "deep-secret")));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", "db");
        doc.put("data", data);
        doc.put("comment_unencrypted", "visible");
        return doc;
    }

    @Test
    void yamlFileDecryptsEveryValueTypeAndKeepsPlainOnes() throws Exception {
        String encrypted = SopsTestEncryptor.forRecipients(OTHER.recipient(), KEY.recipient()).yaml(document());
        assertThat(encrypted).doesNotContain("s3cret-value", "deep-secret", "5432").contains("visible");

        byte[] plain = decryptor(KEY).decryptFile(utf8(encrypted), SopsFormat.YAML, SopsFormat.YAML);

        assertThat(new Load(LoadSettings.builder().build()).loadFromString(new String(plain, StandardCharsets.UTF_8)))
                .isEqualTo(document());
    }

    @Test
    void jsonFileDecryptsToJsonWithGoLayout() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("user", "admin");
        doc.put("html", "<a&b>");
        doc.put("n", 3);
        doc.put("list", List.of());
        String encrypted = SopsTestEncryptor.forRecipients(KEY.recipient()).json(doc);

        byte[] plain = decryptor(KEY).decryptFile(utf8(encrypted), SopsFormat.JSON, SopsFormat.JSON);

        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo(
                "{\n\t\"user\": \"admin\",\n\t\"html\": \"\\u003ca\\u0026b\\u003e\",\n\t\"n\": 3,\n\t\"list\": []\n}\n");
    }

    @Test
    void dotenvFileKeepsOrderCommentsAndNewlines() throws Exception {
        String encrypted = SopsTestEncryptor.forRecipients(KEY.recipient())
                .dotenv(List.of("# database", "DB_USER=admin", "DB_PASS=p@ss=word", "CERT=line1\nline2", "EMPTY="));
        assertThat(encrypted).doesNotContain("p@ss", "database").contains("sops_mac=ENC[", "sops_age__list_0__map_enc=");

        byte[] plain = decryptor(KEY).decryptFile(utf8(encrypted), SopsFormat.DOTENV, SopsFormat.DOTENV);

        assertThat(new String(plain, StandardCharsets.UTF_8))
                .isEqualTo("# database\nDB_USER=admin\nDB_PASS=p@ss=word\nCERT=line1\\nline2\nEMPTY=\n");
    }

    @Test
    void binaryFileComesBackByteForByte() throws Exception {
        byte[] content = new byte[300];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7);
        }
        String utf8Text = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        SopsDecryptor d = decryptor(KEY);

        assertThat(d.decryptFile(utf8(SopsTestEncryptor.forRecipients(KEY.recipient()).binary(utf8(utf8Text))),
                SopsFormat.BINARY, SopsFormat.BINARY)).isEqualTo(utf8(utf8Text));
        assertThat(d.decryptFile(utf8(SopsTestEncryptor.forRecipients(KEY.recipient()).binary(content)),
                SopsFormat.BINARY, SopsFormat.BINARY)).isEqualTo(content);
    }

    @Test
    void changedPlainValueFailsTheFileMacButNotTheBuiltObject() throws Exception {
        String encrypted = SopsTestEncryptor.forRecipients(KEY.recipient()).yaml(document())
                .replace("visible", "changed");
        SopsDecryptor d = decryptor(KEY);

        assertThatThrownBy(() -> d.decryptFile(utf8(encrypted), SopsFormat.YAML, SopsFormat.YAML))
                .isInstanceOf(SopsException.class).hasMessageContaining("MAC mismatch")
                .matches(e -> !((SopsException) e).keyProblem());
        Map<String, Object> object = yaml(encrypted);
        assertThat(d.decryptObject(object)).containsEntry("comment_unencrypted", "changed")
                .doesNotContainKey("sops");
    }

    @Test
    void macOnlyEncryptedLetsPlainValuesChange() throws Exception {
        String encrypted = SopsTestEncryptor.forRecipients(KEY.recipient()).macOnlyEncrypted(true).yaml(document())
                .replace("visible", "changed");

        byte[] plain = decryptor(KEY).decryptFile(utf8(encrypted), SopsFormat.YAML, SopsFormat.YAML);

        assertThat(new String(plain, StandardCharsets.UTF_8)).contains("changed", "s3cret-value");
    }

    @Test
    void valueMovedToAnotherKeyDoesNotAuthenticate() throws Exception {
        Map<String, Object> object = SopsTestEncryptor.forRecipients(KEY.recipient()).encrypt(document());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) object.get("data");
        data.put("password", ((Map<?, ?>) data.get("nested")).get("inner"));

        assertThatThrownBy(() -> decryptor(KEY).decryptObject(object))
                .hasMessageContaining("data:password:").hasMessageContaining("does not authenticate")
                .hasMessageNotContaining("deep-secret");
    }

    @Test
    void wrongKeyNamesTheIdentitiesAndRecipients() throws Exception {
        Map<String, Object> object = SopsTestEncryptor.forRecipients(OTHER.recipient()).encrypt(document());

        assertThatThrownBy(() -> decryptor(KEY).decryptObject(object))
                .isInstanceOf(SopsException.class)
                .hasMessageContaining("Secret 'sops-age'").hasMessageContaining(OTHER.recipient())
                .hasMessageNotContaining(KEY.identity())
                .matches(e -> ((SopsException) e).keyProblem());
    }

    /**
     * The file's {@code encrypted_regex} is the tenant's: with Java's backtracking regex, {@code ^(.*a){12}$} ran for
     * minutes on one 40-character key (found by Jazzer's regex-injection detector). As RE2, like SOPS's Go regexp, it
     * matches in linear time, and RE2 syntax that Go refuses (a backreference) is refused naming the field.
     */
    @Test
    void encryptedRegexIsMatchedInLinearTimeAndWithGoSyntax() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("data", "s3cret-value");
        doc.put("a".repeat(40) + "!", "plain");
        String encrypted = SopsTestEncryptor.forRecipients(KEY.recipient()).encryptedRegex("^data$").yaml(doc);
        assertThat(encrypted).contains("encrypted_regex: ^data$");
        SopsDecryptor decryptor = decryptor(KEY);

        byte[] hostile = utf8(encrypted.replace("encrypted_regex: ^data$", "encrypted_regex: ^(.*a){12}$"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            try {
                decryptor.decryptFile(hostile, SopsFormat.YAML, SopsFormat.YAML);
            } catch (SopsException e) {
                assertThat(e.getMessage()).doesNotContain("s3cret-value");
            }
        });

        byte[] backreference = utf8(encrypted.replace("encrypted_regex: ^data$", "encrypted_regex: ^(d)\\1$"));
        assertThatThrownBy(() -> decryptor.decryptFile(backreference, SopsFormat.YAML, SopsFormat.YAML))
                .isInstanceOf(SopsException.class).hasMessageContaining("sops.encrypted_regex");
    }

    @Test
    @SuppressWarnings("unchecked")
    void builtObjectWithEncryptedRegexIsDecryptedAfterKustomizeChangedIt() throws Exception {
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", new LinkedHashMap<>(Map.of("name", "db")));
        secret.put("stringData", new LinkedHashMap<>(Map.of("password", "s3cret-value")));
        Map<String, Object> object = SopsTestEncryptor.forRecipients(KEY.recipient())
                .encryptedRegex("^(data|stringData)$").encrypt(secret);
        Map<String, Object> meta = (Map<String, Object>) object.get("metadata");
        meta.put("namespace", "apps");
        meta.put("labels", Map.of("team", "a"));

        Map<String, Object> decrypted = decryptor(KEY).decryptObject(object);

        assertThat(decrypted).doesNotContainKey("sops").containsEntry("stringData", Map.of("password", "s3cret-value"));
        assertThat((Map<Object, Object>) decrypted.get("metadata")).containsEntry("namespace", "apps");
        assertThat(SopsDecryptor.isEncryptedObject(object)).isTrue();
        assertThat(SopsDecryptor.isEncryptedObject(decrypted)).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void secretDataValuesThatAreSopsDocumentsAreDecryptedByKeyExtension() throws Exception {
        String env = SopsTestEncryptor.forRecipients(KEY.recipient()).dotenv(List.of("TOKEN=abc"));
        String crt = SopsTestEncryptor.forRecipients(KEY.recipient()).binary(utf8("CERT"));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("app.env", b64(env));
        data.put("tls.crt", b64(crt));
        data.put("plain", b64("not encrypted"));
        Map<String, Object> secret = new LinkedHashMap<>(Map.of("apiVersion", "v1", "kind", "Secret"));
        secret.put("data", data);

        Map<String, Object> out = decryptor(KEY).decryptObject(secret);

        assertThat((Map<Object, Object>) out.get("data")).containsEntry("app.env", b64("TOKEN=abc\n"))
                .containsEntry("tls.crt", b64("CERT")).containsEntry("plain", b64("not encrypted"));
    }

    @Test
    void decryptDisabledAnnotationLeavesTheObjectEncrypted() throws Exception {
        Map<String, Object> doc = document();
        doc.put("metadata", Map.of("annotations", Map.of(SopsDecryptor.DECRYPT_ANNOTATION, "disabled")));
        Map<String, Object> object = SopsTestEncryptor.forRecipients(KEY.recipient()).encryptedRegex("^data$")
                .encrypt(doc);

        assertThat(decryptor(KEY).decryptObject(object)).isSameAs(object);
    }

    @Test
    void singleKeyGroupIsReadAndShamirGroupsAreRejected() throws Exception {
        Map<String, Object> object = SopsTestEncryptor.forRecipients(KEY.recipient()).encrypt(document());
        @SuppressWarnings("unchecked")
        Map<String, Object> sops = (Map<String, Object>) object.get("sops");
        Object age = sops.remove("age");
        sops.put("key_groups", List.of(Map.of("age", age)));
        assertThat(decryptor(KEY).decryptObject(object)).containsEntry("name", "db");

        sops.put("key_groups", List.of(Map.of("age", age), Map.of("age", age)));
        assertThatThrownBy(() -> decryptor(KEY).decryptObject(object)).hasMessageContaining("Shamir");
    }

    @Test
    void twoEncryptionRulesAreRejectedAsSopsDoes() throws Exception {
        Map<String, Object> object = SopsTestEncryptor.forRecipients(KEY.recipient()).encrypt(document());
        @SuppressWarnings("unchecked")
        Map<String, Object> sops = (Map<String, Object>) object.get("sops");
        sops.put("encrypted_regex", "^data$");

        assertThatThrownBy(() -> decryptor(KEY).decryptObject(object)).hasMessageContaining("more than one");
    }

    @Test
    void encryptedValueWhereTheRuleSaysPlainIsKeptAndPlainValueWhereItSaysEncryptedFails() throws Exception {
        Map<String, Object> object = SopsTestEncryptor.forRecipients(KEY.recipient()).encrypt(document());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) object.get("data");
        data.put("added", "plain text");

        assertThatThrownBy(() -> decryptor(KEY).decryptObject(object))
                .hasMessageContaining("data:added:").hasMessageContaining("not encrypted");
    }

    @Test
    void goFloatFormattingMatchesStrconv() {
        assertThat(GoValues.formatFloat(0.5)).isEqualTo("0.5");
        assertThat(GoValues.formatFloat(3.0)).isEqualTo("3");
        assertThat(GoValues.formatFloat(1e21)).isEqualTo("1000000000000000000000");
        assertThat(GoValues.formatFloat(-0.000001)).isEqualTo("-0.000001");
        assertThat(SopsDocuments.GoJson.write(Map.of("a", 1e-7))).isEqualTo("{\n\t\"a\": 1e-7\n}");
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(utf8(s));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }
}
