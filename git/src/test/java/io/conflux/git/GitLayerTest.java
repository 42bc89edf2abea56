package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitLayerTest {
    private static final ObjectKey OWNER = new ObjectKey("GitRepository", "default", "infra");
    @TempDir
    Path tmp;

    @Test
    void rewriterPicksLongestInsteadOfPrefix() {
        GitUrlRewriter r = GitUrlRewriter.parse("https://github.com/=file:///m/gh/,https://github.com/acme/=file:///m/acme/");
        assertThat(r.rewrite("https://github.com/acme/infra.git")).isEqualTo("file:///m/acme/infra.git");
        assertThat(r.rewrite("https://github.com/other/x")).isEqualTo("file:///m/gh/other/x");
        assertThat(r.rewrite("https://gitlab.com/x")).isEqualTo("https://gitlab.com/x");
        assertThatThrownBy(() -> GitUrlRewriter.parse("nonsense")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolvesBranchTagAndCommitAndReadsTreeIntoMemory() throws Exception {
        Path work = tmp.resolve("github.com/acme/infra.git");
        RevCommit first;
        RevCommit second;
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(work.resolve("base"));
            Files.writeString(work.resolve("base/a.yaml"), "kind: A\n");
            git.add().addFilepattern(".").call();
            first = git.commit().setMessage("one").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
            git.tag().setName("v1.0.0").setAnnotated(true).setMessage("v1").call();
            Files.writeString(work.resolve("base/b.yaml"), "kind: B\n");
            git.add().addFilepattern(".").call();
            second = git.commit().setMessage("two").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
        }
        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://github.com/", tmp.resolve("github.com").toUri().toString()));
        String url = "https://github.com/acme/infra.git";
        RemoteRefs refs = RemoteRefs.list(rewriter.rewrite(url), Duration.ofSeconds(10));
        assertThat(refs.resolve(GitRepositoryRef.branch("main"))).isEqualTo(new Revision("main", second.name()));
        assertThat(refs.resolve(new GitRepositoryRef(null, "v1.0.0", null, null, null))).isEqualTo(new Revision("v1.0.0", first.name()));
        assertThatThrownBy(() -> refs.resolve(GitRepositoryRef.branch("nope"))).hasMessageContaining("refs/heads/nope");

        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), rewriter, Duration.ofSeconds(10));
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path one = Files.createDirectories(fs.getPath("/one"));
            assertThat(mirror.checkout(OWNER, url, new Revision("main", first.name()), one)).isEqualTo(1);
            assertThat(Files.exists(one.resolve("base/b.yaml"))).isFalse();
            Path two = Files.createDirectories(fs.getPath("/two"));
            assertThat(mirror.checkout(OWNER, url, new Revision("main", second.name()), two)).isEqualTo(2);
            assertThat(Files.readString(two.resolve("base/b.yaml"))).isEqualTo("kind: B\n");
        }
        assertThatThrownBy(() -> mirror.checkout(OWNER, url, new Revision("main", "0".repeat(40)), tmp))
                .isInstanceOf(GitException.class).hasMessageContaining("not found");
        assertThatThrownBy(() -> RemoteRefs.list(tmp.resolve("missing").toUri().toString(), Duration.ofSeconds(5)))
                .isInstanceOf(GitException.class);
    }

    /**
     * Flux's {@code ref.name} may name a ref outside heads and tags, such as a pull request's
     * {@code refs/pull/420/head}: it is listed, resolved to {@code <ref>@sha1:<sha>}, and its commit, reachable from no
     * branch, is fetched into the mirror.
     */
    @Test
    void resolvesAndFetchesAPullRequestRefByName() throws Exception {
        Path work = tmp.resolve("origin/app.git");
        RevCommit pr;
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("a.yaml"), "kind: A\n");
            git.add().addFilepattern(".").call();
            RevCommit main = git.commit().setMessage("main").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
            git.checkout().setCreateBranch(true).setName("topic").call();
            Files.writeString(work.resolve("pr.yaml"), "kind: PullRequest\n");
            git.add().addFilepattern(".").call();
            pr = git.commit().setMessage("pr").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
            // As GitHub keeps it: the pull request's head under refs/pull, its branch gone.
            var update = git.getRepository().updateRef("refs/pull/420/head");
            update.setNewObjectId(pr);
            update.forceUpdate();
            git.checkout().setName("main").call();
            git.branchDelete().setBranchNames("topic").setForce(true).call();
            assertThat(main).isNotEqualTo(pr);
        }
        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://git.conflux.local/", tmp.resolve("origin").toUri().toString()));
        String url = "https://git.conflux.local/app.git";
        RemoteRefs refs = RemoteRefs.list(rewriter.remote(url), Duration.ofSeconds(10));
        Revision revision = refs.resolve(new GitRepositoryRef(null, null, null, "refs/pull/420/head", null));
        assertThat(revision.toString()).isEqualTo("refs/pull/420/head@sha1:" + pr.name());

        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), rewriter, Duration.ofSeconds(10));
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path out = Files.createDirectories(fs.getPath("/pr"));
            mirror.checkout(OWNER, url, revision, out);
            assertThat(Files.readString(out.resolve("pr.yaml"))).isEqualTo("kind: PullRequest\n");
        }
    }
}
