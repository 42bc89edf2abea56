package io.conflux.renderer.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.model.source.ArtifactGeneratorSpec.CopyOperation;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The copy rules of source-watcher's docs ("Copy Operations", "Copy Strategies"), each on a small source tree. */
class ArtifactCopyTest {
    private FileSystem fs;
    private Path source;
    private Path artifact;

    @BeforeEach
    void tree() throws IOException {
        fs = Jimfs.newFileSystem(Configuration.unix());
        source = Files.createDirectories(fs.getPath("/src"));
        artifact = Files.createDirectories(fs.getPath("/out"));
        write("config.yaml", "a: 1\n");
        write("configs/file1.yaml", "f1\n");
        write("configs/file2.yaml", "f2\n");
        write("configs/README.md", "docs\n");
        write("configs/subdir/file3.yaml", "f3\n");
        write("configs/testdata/t.yaml", "t\n");
        write("deploy/frontend/kustomization.yaml", "resources: []\n");
        write("values.yaml", "image:\n  repository: app\n  tag: '1'\nports: [80, 443]\n");
        write("values-prod.yaml", "image:\n  tag: '2'\nports: [8080]\nreplicas: 3\n");
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    @Test
    void fileToPathAndToDirectory() throws Exception {
        apply(op("@src/config.yaml", "@artifact/apps/app.yaml"), op("@src/config.yaml", "@artifact/other/"));
        assertThat(files()).containsOnlyKeys("apps/app.yaml", "other/config.yaml");
    }

    @Test
    void fileIntoAnExistingDirectoryWithoutSlash() throws Exception {
        apply(op("@src/config.yaml", "@artifact/apps/app.yaml"), op("@src/values.yaml", "@artifact/apps"));
        assertThat(files()).containsOnlyKeys("apps/app.yaml", "apps/values.yaml");
    }

    @Test
    void globOfFilesKeepsTheirPathUnderTheDestination() throws Exception {
        apply(op("@src/configs/*.yaml", "@artifact/apps/"));
        assertThat(files()).containsOnlyKeys("apps/configs/file1.yaml", "apps/configs/file2.yaml");
    }

    @Test
    void directoryWithSlashIsCopiedAsSubdirectory() throws Exception {
        apply(op("@src/configs/", "@artifact/apps/"));
        assertThat(files()).containsOnlyKeys("apps/configs/file1.yaml", "apps/configs/file2.yaml",
                "apps/configs/README.md", "apps/configs/subdir/file3.yaml", "apps/configs/testdata/t.yaml");
    }

    @Test
    void doubleStarStripsThePrefixAndRecurses() throws Exception {
        apply(op("@src/configs/**", "@artifact/apps/"));
        assertThat(files()).containsOnlyKeys("apps/file1.yaml", "apps/file2.yaml", "apps/README.md",
                "apps/subdir/file3.yaml", "apps/testdata/t.yaml");
    }

    @Test
    void excludesByNameAtAnyDepthByDoublestarAndRelativeToThePrefix() throws Exception {
        apply(new CopyOperation("@src/configs/**", "@artifact/apps/", List.of("*.md", "**/testdata/**", "subdir/**"), null));
        assertThat(files()).containsOnlyKeys("apps/file1.yaml", "apps/file2.yaml");
    }

    @Test
    void aliasRootCopiesEverything() throws Exception {
        apply(new CopyOperation("@src/", "@artifact/", List.of("configs/**", "values*.yaml"), null));
        assertThat(files()).containsOnlyKeys("config.yaml", "deploy/frontend/kustomization.yaml");
    }

    @Test
    void laterOperationsOverwrite() throws Exception {
        apply(op("@src/config.yaml", "@artifact/x.yaml"), op("@src/values.yaml", "@artifact/x.yaml"));
        assertThat(files().get("x.yaml")).startsWith("image:");
    }

    @Test
    void mergeIsHelmsValuesMergeListsReplaced() throws Exception {
        apply(op("@src/values.yaml", "@artifact/chart/values.yaml"),
                new CopyOperation("@src/values-prod.yaml", "@artifact/chart/values.yaml", null, "Merge"));
        assertThat(files().get("chart/values.yaml")).isEqualTo(
                "image:\n  repository: app\n  tag: '2'\nports:\n- 8080\nreplicas: 3\n");
    }

    @Test
    void mergeWithoutDestinationCopies() throws Exception {
        apply(new CopyOperation("@src/values-prod.yaml", "@artifact/values.yaml", null, "Merge"));
        assertThat(files().get("values.yaml")).isEqualTo("image:\n  tag: '2'\nports: [8080]\nreplicas: 3\n");
    }

    @Test
    void failuresNameTheOperation() {
        assertThatThrownBy(() -> apply(op("@src/nothing/*.yaml", "@artifact/")))
                .hasMessage("failed to apply copy operation from '@src/nothing/*.yaml' to '@artifact/': "
                        + "no files match pattern 'nothing/*.yaml' in source 'src'");
        assertThatThrownBy(() -> apply(op("@other/x", "@artifact/")))
                .hasMessageEndingWith("source alias 'other' not found");
        assertThatThrownBy(() -> apply(op("@src/missing.yaml", "@artifact/")))
                .hasMessageEndingWith("source 'missing.yaml' does not exist");
        assertThatThrownBy(() -> apply(op("src/config.yaml", "@artifact/")))
                .hasMessageEndingWith("source must start with '@'");
        assertThatThrownBy(() -> apply(op("@src/config.yaml", "out/")))
                .hasMessageEndingWith("destination must start with '@artifact/'");
        assertThatThrownBy(() -> apply(new CopyOperation("@src/configs/*.md", "@artifact/", List.of("*.md"), null)))
                .hasMessageEndingWith("all files matching pattern 'configs/*.md' in source 'src' were excluded");
        assertThatThrownBy(() -> apply(new CopyOperation("@src/x.tgz", "@artifact/", null, "Extract")))
                .hasMessageEndingWith("strategy 'Extract' is not supported by Conflux");
        assertThatThrownBy(() -> apply(op("@src/../etc/passwd", "@artifact/")))
                .hasMessageEndingWith("path '../etc/passwd' leaves the root");
        assertThatThrownBy(() -> apply(op("@src/config.yaml", "@artifact/../../x")))
                .hasMessageContaining("leaves the root");
    }

    private static CopyOperation op(String from, String to) {
        return new CopyOperation(from, to, null, null);
    }

    private void apply(CopyOperation... ops) throws ArtifactCopy.CopyException {
        ArtifactCopy.apply(List.of(ops), Map.of("src", source), artifact);
    }

    private void write(String path, String content) throws IOException {
        Path p = source.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private Map<String, String> files() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(artifact)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(artifact.relativize(p).toString(), Files.readString(p));
            }
        }
        return out;
    }
}
