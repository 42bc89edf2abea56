package io.conflux.sops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.sops.testing.SopsTestEncryptor;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile YAML in SOPS files a tenant encrypted with its own key (issue #11, defect 3): alias bombs and deep nesting
 * fail with an error naming the file and the bound ({@code YamlBounds.MANIFESTS}), never by walking billions of
 * nodes or with a {@link StackOverflowError}.
 */
class HostileSopsFilesTest {
    static final SopsTestEncryptor.AgeKey KEY = SopsTestEncryptor.generateKey();

    FileSystem fs;
    Path root;

    @BeforeEach
    void tree() throws Exception {
        fs = Jimfs.newFileSystem(Configuration.unix());
        root = Files.createDirectories(fs.getPath("/source"));
        Files.writeString(root.resolve("kustomization.yaml"), "patches:\n  - path: secret.yaml\n");
    }

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    /** {@code width} aliases of the previous anchor on each of {@code levels} levels: width^levels leaves. */
    static String aliasBomb(int width, int levels) {
        StringBuilder b = new StringBuilder("l0: &l0 [" + "\"lol\",".repeat(width - 1) + "\"lol\"]\n");
        for (int level = 1; level < levels; level++) {
            b.append('l').append(level).append(": &l").append(level).append(" [");
            for (int i = 0; i < width; i++) {
                b.append(i == 0 ? "" : ",").append("*l").append(level - 1);
            }
            b.append("]\n");
        }
        return b.toString();
    }

    /** A file encrypted with the tenant's own key, with {@code extra} top-level YAML added after it. */
    void writeEncrypted(String extra) throws Exception {
        String encrypted = SopsTestEncryptor.forRecipients(KEY.recipient()).yaml(Map.of("apiVersion", "v1",
                "kind", "Secret", "metadata", Map.of("name", "s"), "stringData", Map.of("k", "v")));
        Files.writeString(root.resolve("secret.yaml"), encrypted + extra);
    }

    SopsDecryptor decryptor() throws SopsException {
        return new SopsDecryptor(AgeIdentities.parse("test", KEY.identity()));
    }

    @Test
    void nineByNineAliasBombIsExcessiveAliasingNamingTheFile() throws Exception {
        writeEncrypted(aliasBomb(9, 9));
        assertThatThrownBy(() -> KustomizationSources.decrypt(root, root, decryptor()))
                .isInstanceOf(SopsException.class)
                .hasMessageMatching("secret\\.yaml: invalid YAML: excessive aliasing: .* \\(line \\d+\\)");
    }

    @Test
    void aBombUnderSnakeYamlsDefaultAliasCountIsExcessiveAliasingToo() throws Exception {
        writeEncrypted(aliasBomb(2, 25)); // 48 aliases, 2^24 leaves
        assertThatThrownBy(() -> KustomizationSources.decrypt(root, root, decryptor()))
                .isInstanceOf(SopsException.class)
                .hasMessageMatching("secret\\.yaml: invalid YAML: excessive aliasing: .*");
    }

    @Test
    void tenThousandLevelsOfNestingNameTheFileNotAStackOverflow() throws Exception {
        writeEncrypted("deep: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        assertThatThrownBy(() -> KustomizationSources.decrypt(root, root, decryptor()))
                .isInstanceOf(SopsException.class)
                .hasMessageMatching("secret\\.yaml: invalid YAML: nesting deeper than 500 levels \\(line \\d+\\)");
    }

    @Test
    void aBombInTheKustomizationFileNamesIt() throws Exception {
        Files.writeString(root.resolve("kustomization.yaml"), "patches: []\n" + aliasBomb(9, 9));
        assertThatThrownBy(() -> KustomizationSources.decrypt(root, root, decryptor()))
                .isInstanceOf(SopsException.class)
                .hasMessageStartingWith("kustomization.yaml: invalid YAML: excessive aliasing");
    }
}
