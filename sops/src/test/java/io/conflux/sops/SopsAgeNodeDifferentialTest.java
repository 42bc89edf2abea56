package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.sops.testing.SopsTestEncryptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The SOPS format against an independent implementation: documents written by the test-side encryptor are
 * decrypted both by the npm package {@code sops-age} (JavaScript, its own age and AES-GCM code; it does not check
 * the MAC) through node, and by our decryptor, and both must give the plaintext. This shows that the encryptor the
 * other tests trust writes what another SOPS reader reads (age stanzas, key-path additional data, value types) and
 * that we read the same documents. Skipped unless node and the package are installed:
 * {@code npm install --prefix ~/.cache/conflux-ref/sops-age sops-age@4.0.2}.
 */
class SopsAgeNodeDifferentialTest {
    static final Path MODULE = Path.of(System.getProperty("user.home"),
            ".cache/conflux-ref/sops-age/node_modules/sops-age/dist/index.js");
    static final Path NODE = Path.of("/usr/bin/node");
    static final SopsTestEncryptor.AgeKey KEY = SopsTestEncryptor.generateKey();

    @TempDir
    Path tmp;

    @BeforeAll
    static void requireSopsAge() {
        assumeTrue(Files.isExecutable(NODE) && Files.isRegularFile(MODULE),
                "sops-age not installed at " + MODULE + " (npm install --prefix ~/.cache/conflux-ref/sops-age sops-age@4.0.2)");
    }

    @Test
    void yamlDocument() throws Exception {
        Map<String, Object> doc = SopsDecryptorTest.document();
        String yaml = SopsTestEncryptor.forRecipients(KEY.recipient()).yaml(doc);

        assertThat(sopsAge(yaml, "yaml")).isEqualTo(doc);
        assertThat(load(new SopsDecryptor(identities()).decryptFile(utf8(yaml), SopsFormat.YAML, SopsFormat.YAML)))
                .isEqualTo(doc);
    }

    @Test
    void jsonSecretWithEncryptedRegex() throws Exception {
        Map<String, Object> secret = Map.of("apiVersion", "v1", "kind", "Secret",
                "metadata", Map.of("name", "db"), "stringData", Map.of("password", "p4ss", "user", "admin"));
        String json = SopsTestEncryptor.forRecipients(KEY.recipient()).encryptedRegex("^(data|stringData)$")
                .json(secret);
        assertThat(json).doesNotContain("p4ss");

        assertThat(sopsAge(json, "json")).isEqualTo(secret);
        assertThat(load(new SopsDecryptor(identities()).decryptFile(utf8(json), SopsFormat.JSON, SopsFormat.JSON)))
                .isEqualTo(secret);
    }

    @Test
    void dotenvDocument() throws Exception {
        String env = SopsTestEncryptor.forRecipients(KEY.recipient())
                .dotenv(List.of("DB_USER=admin", "DB_PASS=s3cret", "URL=https://example.com/?a=b"));
        Map<String, Object> expected = Map.of("DB_USER", "admin", "DB_PASS", "s3cret", "URL", "https://example.com/?a=b");

        assertThat(sopsAge(env, "env")).isEqualTo(expected);
        assertThat(new String(new SopsDecryptor(identities()).decryptFile(utf8(env), SopsFormat.DOTENV,
                SopsFormat.DOTENV), StandardCharsets.UTF_8))
                .isEqualTo("DB_USER=admin\nDB_PASS=s3cret\nURL=https://example.com/?a=b\n");
    }

    static AgeIdentities identities() throws SopsException {
        return AgeIdentities.parse("test key", KEY.identity());
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> sopsAge(String document, String type) throws IOException, InterruptedException {
        Path file = Files.writeString(tmp.resolve("doc." + type), document);
        Path script = Files.writeString(tmp.resolve("decrypt.mjs"), String.join("\n",
                "import { decryptSops } from " + new ObjectMapper().writeValueAsString(MODULE.toUri().toString()) + ";",
                "const [file, fileType, secretKey] = process.argv.slice(2);",
                "const out = await decryptSops({ path: file, fileType, secretKey });",
                "process.stdout.write(JSON.stringify(out));", ""));
        Path err = tmp.resolve("node.err");
        Process p = new ProcessBuilder(NODE.toString(), script.toString(), file.toString(), type, KEY.identity())
                .redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("sops-age failed: %s", Files.readString(err)).isZero();
        return new ObjectMapper().readValue(out, Map.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(byte[] yamlOrJson) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(new String(yamlOrJson, StandardCharsets.UTF_8));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
