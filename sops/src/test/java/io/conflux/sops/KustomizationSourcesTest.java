package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.sops.testing.SopsTestEncryptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Flux's DecryptSources on an in-memory source tree, as the renderer uses it. */
class KustomizationSourcesTest {
    static final SopsTestEncryptor.AgeKey KEY = SopsTestEncryptor.generateKey();

    FileSystem fs;
    Path root;

    @BeforeEach
    void tree() throws Exception {
        fs = Jimfs.newFileSystem(Configuration.unix());
        root = Files.createDirectories(fs.getPath("/source"));
    }

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    @Test
    void decryptsGeneratorInputsAndPatchesHereAndInLocalResources() throws Exception {
        SopsTestEncryptor enc = SopsTestEncryptor.forRecipients(KEY.recipient());
        write("apps/kustomization.yaml", """
                resources:
                  - ../base
                  - https://example.com/remote.yaml
                secretGenerator:
                  - name: db
                    envs: [db.env]
                    files:
                      - config.json
                      - tls.crt=certs/tls.enc
                      - notes.txt
                configMapGenerator:
                  - name: cm
                    envs: [cm.env]
                patches:
                  - path: patch.yaml
                """);
        write("apps/db.env", enc.dotenv(List.of("USER=admin", "PASS=s3cret")));
        write("apps/config.json", enc.json(Map.of("token", "t0ken")));
        write("apps/certs/tls.enc", enc.binary("CERTIFICATE".getBytes(StandardCharsets.UTF_8)));
        write("apps/notes.txt", "plain notes\n");
        String cmEnv = enc.dotenv(List.of("LEFT=encrypted"));
        write("apps/cm.env", cmEnv);
        write("apps/patch.yaml", enc.encryptedRegex("^stringData$").yaml(Map.of("apiVersion", "v1", "kind", "Secret",
                "metadata", Map.of("name", "x"), "stringData", Map.of("k", "patched"))));
        write("base/kustomization.yaml", "secretGenerator:\n  - name: base\n    envs: [base.env]\n");
        write("base/base.env", SopsTestEncryptor.forRecipients(KEY.recipient()).dotenv(List.of("BASE=1")));

        List<String> done = KustomizationSources.decrypt(root, root.resolve("apps"), decryptor());

        assertThat(done).as("files before envs, then patches, then resources, as Flux visits them")
                .containsExactly("apps/config.json", "apps/certs/tls.enc", "apps/db.env", "apps/patch.yaml",
                        "base/base.env");
        assertThat(read("apps/db.env")).isEqualTo("USER=admin\nPASS=s3cret\n");
        assertThat(read("apps/config.json")).isEqualTo("{\n\t\"token\": \"t0ken\"\n}\n");
        assertThat(read("apps/certs/tls.enc")).isEqualTo("CERTIFICATE");
        assertThat(read("apps/notes.txt")).isEqualTo("plain notes\n");
        assertThat(read("apps/cm.env")).as("configMapGenerator inputs are left, as Flux does").isEqualTo(cmEnv);
        assertThat(read("apps/patch.yaml")).contains("k: patched").doesNotContain("sops");
        assertThat(read("base/base.env")).isEqualTo("BASE=1\n");
    }

    @Test
    void failureNamesTheFile() throws Exception {
        write("kustomization.yaml", "secretGenerator:\n  - name: db\n    envs: [db.env]\n");
        write("db.env", SopsTestEncryptor.forRecipients(SopsTestEncryptor.generateKey().recipient())
                .dotenv(List.of("PASS=x")));

        assertThatThrownBy(() -> KustomizationSources.decrypt(root, root, decryptor()))
                .isInstanceOf(SopsException.class).hasMessageStartingWith("db.env: cannot get the sops data key")
                .matches(e -> ((SopsException) e).keyProblem());

        write("kustomization.yaml", "secretGenerator:\n  - name: db\n    envs: [missing.env]\n");
        assertThatThrownBy(() -> KustomizationSources.decrypt(root, root, decryptor()))
                .hasMessage("missing.env: no such file");
    }

    @Test
    void referencesOutsideTheRootAreIgnored() throws Exception {
        write("apps/kustomization.yaml", "secretGenerator:\n  - name: db\n    files: [../../outside.env]\n");

        assertThat(KustomizationSources.decrypt(root.resolve("apps"), root.resolve("apps"), decryptor())).isEmpty();
    }

    static SopsDecryptor decryptor() throws SopsException {
        return new SopsDecryptor(AgeIdentities.parse("test", KEY.identity()));
    }

    void write(String path, String content) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    String read(String path) throws Exception {
        return Files.readString(root.resolve(path));
    }
}
