package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GitRepository.spec.include} as Flux builds the including artifact: fromPath, toPath, ignore order. */
class SourceTreeTest {
    @TempDir
    Path tmp;

    private GitSource repo(String name, Map<String, String> files, String ignore, List<GitSource.Include> includes) throws Exception {
        Path work = tmp.resolve("src").resolve(name);
        Files.createDirectories(work);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path file = work.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, f.getValue());
        }
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            String sha = git.commit().setMessage(name).setAuthor("t", "t@t").setCommitter("t", "t@t").call().name();
            return new GitSource(new ObjectKey("GitRepository", "default", name), "https://git.conflux.local/" + name, new Revision("main", sha), GitCredentials.NONE, null,
                    ignore, includes);
        }
    }

    private static List<String> files(Path root) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private SourceTree tree() {
        return new SourceTree(new GitMirror(tmp.resolve("mirrors"),
                new GitUrlRewriter(Map.of("https://git.conflux.local/", tmp.resolve("src").toUri().toString())), Duration.ofSeconds(10)));
    }

    @Test
    void includesCopyFromPathToPathWithFluxDefaultsAndIgnoreOrder() throws Exception {
        GitSource shared = repo("shared", Map.of(
                "deploy/kubernetes/app.yaml", "kind: App\n",
                "deploy/kubernetes/notes.md", "skip me\n",
                "README.md", "shared\n",
                ".sourceignore", "*.md\n"), null, List.of());
        GitSource charts = repo("charts", Map.of("chart/values.yaml", "replicas: 1\n", "logo.png", "x"), null, List.of());
        GitSource main = repo("main", Map.of(
                "clusters/prod/kustomization.yaml", "resources: []\n",
                "base/app/.keep", ""), "*.tmp\n", List.of(
                new GitSource.Include(shared, "deploy/kubernetes", "base/app"),
                new GitSource.Include(charts, null, null)));
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/source"));
            // base/app exists with a file: a non-empty toPath is refused, as Flux's rename refuses it
            assertThatThrownBy(() -> tree().write(main, root))
                    .isInstanceOf(GitException.class)
                    .hasMessageContaining("include 'shared': cannot copy to toPath 'base/app'");
        }
        GitSource mainWithEmptyTarget = repo("main2", Map.of("clusters/prod/kustomization.yaml", "resources: []\n",
                "tmp/x.tmp", "gone\n"), "*.tmp\n", main.includes());
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/source"));
            tree().write(mainWithEmptyTarget, root);
            assertThat(files(root)).containsExactly(
                    "base/app/app.yaml",        // fromPath's content at toPath; notes.md left out by shared's .sourceignore
                    "charts/chart/values.yaml", // no fromPath: everything; no toPath: the repository's name; logo.png by defaults
                    "clusters/prod/kustomization.yaml");
            assertThat(Files.readString(root.resolve("base/app/app.yaml"))).isEqualTo("kind: App\n");
            try (Stream<Path> top = Files.list(fs.getPath("/"))) {
                assertThat(top.map(Path::toString).toList()).contains("/source").noneMatch(p -> p.startsWith("/.include-"));
            }
        }
    }

    @Test
    void includedRevisionAndPathsAreCheckedWithClearErrors() throws Exception {
        GitSource shared = repo("shared", Map.of("a.yaml", "a: 1\n"), null, List.of());
        GitSource missingFrom = repo("m1", Map.of("x.yaml", "x: 1\n"), null,
                List.of(new GitSource.Include(shared, "deploy", "base")));
        GitSource escaping = repo("m2", Map.of("x.yaml", "x: 1\n"), null,
                List.of(new GitSource.Include(shared, null, "../outside")));
        GitSource gone = new GitSource(shared.key(), shared.url(), new Revision("main", "0".repeat(40)), GitCredentials.NONE,
                null, null, List.of());
        GitSource missingCommit = repo("m3", Map.of("x.yaml", "x: 1\n"), null, List.of(new GitSource.Include(gone, null, null)));
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            assertThatThrownBy(() -> tree().write(missingFrom, Files.createDirectories(fs.getPath("/a/source"))))
                    .hasMessageContaining("include 'shared': fromPath 'deploy' does not exist in revision main@sha1:");
            assertThatThrownBy(() -> tree().write(escaping, Files.createDirectories(fs.getPath("/b/source"))))
                    .hasMessageContaining("include 'shared': toPath '../outside' leaves the repository");
            assertThatThrownBy(() -> tree().write(missingCommit, Files.createDirectories(fs.getPath("/c/source"))))
                    .isInstanceOf(GitException.class)
                    .hasMessageContaining("include 'shared': commit " + "0".repeat(40) + " not found");
        }
    }
}
