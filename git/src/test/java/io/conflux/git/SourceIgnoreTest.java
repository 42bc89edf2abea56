package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SourceIgnoreTest {

    @Test
    void defaultsSourceignoreAndSpecIgnoreWithNegation() throws Exception {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/src"));
            for (String f : new String[] {"apps/app.yaml", "apps/logo.png", ".github/workflows/ci.yaml", "docs/readme.md",
                    "docs/keep.yaml", "scripts/run.sh", "clusters/prod/sync.yaml"}) {
                Files.createDirectories(root.resolve(f).getParent());
                Files.writeString(root.resolve(f), "x");
            }
            Files.writeString(root.resolve(".sourceignore"), "# docs are not manifests\ndocs/*\n!docs/keep.yaml\n");
            SourceIgnore ignore = SourceIgnore.load(root, "/scripts/\n");

            assertThat(ignore.ignored("apps/logo.png", false)).isTrue();
            assertThat(ignore.ignored("apps/app.yaml", false)).isFalse();
            assertThat(ignore.ignored("docs/keep.yaml", false)).isFalse();
            assertThat(ignore.prune(root)).isEqualTo(4);
            assertThat(Files.exists(root.resolve("apps/app.yaml"))).isTrue();
            assertThat(Files.exists(root.resolve("docs/keep.yaml"))).isTrue();
            assertThat(Files.exists(root.resolve("docs/readme.md"))).isFalse();
            assertThat(Files.exists(root.resolve(".github"))).isFalse();
            assertThat(Files.exists(root.resolve("scripts"))).isFalse();
            assertThat(Files.exists(root.resolve("clusters/prod/sync.yaml"))).isTrue();
        }
    }

    /** As Flux's {@code LoadIgnorePatterns}: a subdirectory's {@code .sourceignore} applies below it, relative to it. */
    @Test
    void sourceignoreInASubdirectoryAppliesBelowItOnly() throws Exception {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/src"));
            for (String f : new String[] {"apps/test/values.yaml", "apps/test/deploy.yaml", "apps/prod/test/values.yaml",
                    "infra/test/values.yaml"}) {
                Files.createDirectories(root.resolve(f).getParent());
                Files.writeString(root.resolve(f), "x");
            }
            Files.writeString(root.resolve("apps/.sourceignore"), "/test/values.yaml\n");
            Files.writeString(root.resolve("apps/prod/.sourceignore"), "test/\n");
            SourceIgnore ignore = SourceIgnore.load(root, null);

            assertThat(ignore.ignored("apps/test/values.yaml", false)).isTrue();
            assertThat(ignore.ignored("apps/test/deploy.yaml", false)).isFalse();
            assertThat(ignore.ignored("apps/prod/test", true)).isTrue();
            assertThat(ignore.ignored("infra/test/values.yaml", false)).as("outside apps/").isFalse();
            assertThat(ignore.prune(root)).isEqualTo(2);
            assertThat(Files.exists(root.resolve("infra/test/values.yaml"))).isTrue();
        }
    }
}
