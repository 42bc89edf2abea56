package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactDigestTest {
    @TempDir
    Path tmp;

    @Test
    void equalContentGivesEqualDigestsOnAnyFileSystemAndAnyChangeChangesIt() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("a"));
        Files.createDirectories(disk.resolve("apps/base"));
        Files.writeString(disk.resolve("apps/base/deploy.yaml"), "kind: Deployment\n");
        Files.writeString(disk.resolve("README.md"), "hello\n");
        String digest = ArtifactDigest.of(disk);
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path mem = Files.createDirectories(fs.getPath("/source"));
            Files.createDirectories(mem.resolve("apps/base"));
            Files.writeString(mem.resolve("README.md"), "hello\n");
            Files.writeString(mem.resolve("apps/base/deploy.yaml"), "kind: Deployment\n");
            assertThat(ArtifactDigest.of(mem)).isEqualTo(digest);
            Files.writeString(mem.resolve("apps/base/deploy.yaml"), "kind: StatefulSet\n");
            assertThat(ArtifactDigest.of(mem)).isNotEqualTo(digest);
        }
        Files.move(disk.resolve("README.md"), disk.resolve("NOTES.md"));
        assertThat(ArtifactDigest.of(disk)).as("a renamed file").isNotEqualTo(digest);
    }
}
