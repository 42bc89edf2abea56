package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conflux.sops.testing.SopsTestEncryptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The age layer against the reference {@code age}/{@code age-keygen} tools (Debian's {@code age} package, the Go
 * implementation by age's authors): keys they generate, data keys they seal, are opened by our side, and what our
 * side seals they open. Skipped when the tools are absent ({@code apt-get install -y age}).
 */
class AgeCliDifferentialTest {
    static final Path AGE = Path.of("/usr/bin/age");
    static final Path AGE_KEYGEN = Path.of("/usr/bin/age-keygen");

    @TempDir
    Path tmp;

    @BeforeAll
    static void requireAge() {
        assumeTrue(Files.isExecutable(AGE) && Files.isExecutable(AGE_KEYGEN),
                "reference age not installed at " + AGE + " (apt-get install -y age)");
    }

    @Test
    void dataKeySealedByAgeIsOpenedWithItsKeygenIdentityFile() throws Exception {
        Path keyFile = tmp.resolve("keys.txt");
        run(List.of(AGE_KEYGEN.toString(), "-o", keyFile.toString()), null);
        String recipient = publicKey(Files.readString(keyFile));
        byte[] dataKey = random();

        String armored = new String(run(List.of(AGE.toString(), "--encrypt", "--armor", "-r", recipient), dataKey),
                StandardCharsets.US_ASCII);
        AgeIdentities identities = AgeIdentities.fromSecret("sops-age",
                Map.of("keys.agekey", Files.readString(keyFile)));

        assertThat(armored).startsWith("-----BEGIN AGE ENCRYPTED FILE-----");
        assertThat(identities.decrypt(armored)).isEqualTo(dataKey);
    }

    @Test
    void dataKeySealedOnOurSideIsOpenedByAge() throws Exception {
        SopsTestEncryptor.AgeKey key = SopsTestEncryptor.generateKey();
        Path keyFile = Files.writeString(tmp.resolve("id.txt"), key.identity() + "\n");
        byte[] dataKey = random();

        byte[] opened = run(List.of(AGE.toString(), "--decrypt", "-i", keyFile.toString()),
                SopsTestEncryptor.seal(dataKey, key.recipient()).getBytes(StandardCharsets.US_ASCII));

        assertThat(opened).isEqualTo(dataKey);
        assertThat(publicKey(new String(run(List.of(AGE_KEYGEN.toString(), "-y", keyFile.toString()), null),
                StandardCharsets.US_ASCII))).isEqualTo(key.recipient());
    }

    @Test
    void sopsDocumentWhoseDataKeyAgeSealedDecrypts() throws Exception {
        Path keyFile = tmp.resolve("keys.txt");
        run(List.of(AGE_KEYGEN.toString(), "-o", keyFile.toString()), null);
        String recipient = publicKey(Files.readString(keyFile));
        byte[] dataKey = random();
        String armored = new String(run(List.of(AGE.toString(), "-e", "-a", "-r", recipient), dataKey),
                StandardCharsets.US_ASCII);
        String env = SopsTestEncryptor.withDataKey(dataKey, List.of(new SopsTestEncryptor.Stanza(recipient, armored)))
                .dotenv(List.of("PASSWORD=from-age-cli"));

        SopsDecryptor decryptor = new SopsDecryptor(AgeIdentities.parse("keys.txt", Files.readString(keyFile)));

        assertThat(new String(decryptor.decryptFile(env.getBytes(StandardCharsets.UTF_8), SopsFormat.DOTENV,
                SopsFormat.DOTENV), StandardCharsets.UTF_8)).isEqualTo("PASSWORD=from-age-cli\n");
    }

    /** @return the {@code age1...} key from age-keygen output ({@code # public key: ...} or {@code -y} output) */
    static String publicKey(String text) {
        for (String line : text.split("\n")) {
            String l = line.replace("# public key:", "").strip();
            if (l.startsWith("age1")) {
                return l;
            }
        }
        throw new IllegalArgumentException("no public key in age-keygen output");
    }

    static byte[] random() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    byte[] run(List<String> command, byte[] stdin) throws IOException, InterruptedException {
        Path err = Files.createTempFile(tmp, "age-", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", command, Files.readString(err)).isZero();
        return out;
    }
}
