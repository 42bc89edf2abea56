package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conflux up}'s bundle key: generated once per directory, owner-only, kept across runs, rotatable by a new line. */
class BundleKeyFileTest {

    @Test
    void generatesOneKeyPerDirectoryAndKeepsIt(@TempDir Path dir) throws Exception {
        String first = BundleKeyFile.keys(dir.resolve("work"));
        assertThat(first).matches("local-1:[A-Za-z0-9+/=]{44}");
        assertThat(Base64.getDecoder().decode(first.substring(first.indexOf(':') + 1))).hasSize(32);
        Path file = dir.resolve("work").resolve(BundleKeyFile.NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(BundleKeyFile.keys(dir.resolve("work"))).isEqualTo(first);
        assertThat(BundleKeyFile.keys(dir.resolve("other"))).isNotEqualTo(first);

        Files.writeString(file, "local-2:" + Base64.getEncoder().encodeToString(new byte[32]) + "\n" + Files.readString(file));
        assertThat(BundleKeyFile.keys(dir.resolve("work"))).endsWith("," + first).startsWith("local-2:");
    }
}
