package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a tenant's {@code spec.url} can reach: only http, https and ssh URLs (Flux's CRD pattern), local repositories
 * only through the operator's rewrites, and never another GitRepository's mirror.
 */
class SourceUrlIsolationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectKey TENANT_A = new ObjectKey("GitRepository", "team-a", "app");
    private static final ObjectKey TENANT_B = new ObjectKey("GitRepository", "team-b", "app");

    @TempDir
    Path tmp;

    @Test
    void onlyHttpHttpsAndSshUrlsPassFluxsPattern() {
        for (String ok : new String[] {"https://github.com/acme/app", "http://127.0.0.1:8080/acme/app.git",
                "ssh://git@github.com/acme/app.git", "ssh://git@127.0.0.1:2222/acme/app"}) {
            assertThatCode(() -> GitRepositoryUrl.check(ok)).as(ok).doesNotThrowAnyException();
        }
        assertRefused("file:///srv/conflux/mirrors/0a1b", "a file:// URL");
        assertRefused("/srv/conflux/mirrors/0a1b", "a local path");
        assertRefused("./mirrors/0a1b", "a local path");
        assertRefused("git@github.com:acme/app.git", "an scp-like address");
        assertRefused("HTTPS://github.com/acme/app", "scheme 'HTTPS'");
        assertRefused("git://github.com/acme/app", "scheme 'git'");
        assertRefused("https://github.com/acme/app\nfile:///etc", "several lines");
        assertThatThrownBy(() -> GitRepositoryUrl.check(" ")).isInstanceOf(GitUrlException.class)
                .hasMessage("spec.url is empty");
    }

    /** The check in code and the CRD's pattern (which the API server applies) are the same. */
    @Test
    void theCrdCarriesTheSamePatternOnEveryVersion() throws Exception {
        String crd = Files.readString(Path.of("..", "deploy", "crds", "gitrepositories.yaml"));
        // Flux v2.7's CRD serves v1 and v1beta2, Conflux also v1beta1 (from Flux v2.6.4); spec.url carries the pattern
        // in all three
        assertThat(crd.split("\n")).filteredOn(line -> line.matches("^    name: v.*$")).hasSize(3);
        assertThat(crd.split("\n")).filteredOn(line -> line.trim().equals("pattern: " + GitRepositoryUrl.PATTERN.pattern()))
                .hasSize(3);
    }

    @Test
    void theMessageNeverEchoesTheUrlWhichMayHoldCredentials() {
        assertThatThrownBy(() -> GitRepositoryUrl.check("ftp://flux:hunter2@example.com/app"))
                .isInstanceOf(GitUrlException.class)
                .hasMessageContaining("spec.url")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aFileUrlOrALocalPathIsRefusedBeforeAnythingIsRead() throws Exception {
        Map<String, String> shas = TaggedRepository.create(tmp.resolve("repos/acme/app"));
        Path mirrors = tmp.resolve("mirrors");
        GitMirror mirror = new GitMirror(mirrors, GitUrlRewriter.none(), TIMEOUT);
        Revision main = new Revision("main", shas.get("main"));
        Path target = Files.createDirectories(tmp.resolve("out"));
        for (String url : new String[] {tmp.resolve("repos/acme/app").toUri().toString(),
                tmp.resolve("repos/acme/app").toString()}) {
            assertThatThrownBy(() -> mirror.checkout(TENANT_A, url, main, target))
                    .isInstanceOf(GitUrlException.class).hasMessageStartingWith("spec.url is a ");
        }
        assertThat(mirrors).doesNotExist();
        assertThat(target).isEmptyDirectory();
    }

    @Test
    void anOperatorRewriteReachesALocalRepositoryButATenantCannotClimbOutOfIt() throws Exception {
        Map<String, String> shas = TaggedRepository.create(tmp.resolve("repos/acme/app"));
        TaggedRepository.create(tmp.resolve("private/other"));
        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://git.conflux.local/",
                tmp.resolve("repos").toUri().toString()));
        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), rewriter, TIMEOUT);
        Path target = Files.createDirectories(tmp.resolve("out"));

        assertThat(mirror.checkout(TENANT_A, "https://git.conflux.local/acme/app",
                new Revision("main", shas.get("main")), target)).isEqualTo(1);
        assertThat(RemoteRefs.list(rewriter.remote("https://git.conflux.local/acme/app"), TIMEOUT).refs())
                .containsEntry("refs/heads/main", shas.get("main"));

        for (String climb : new String[] {"https://git.conflux.local/../private/other",
                "https://git.conflux.local/acme/../../private/other", "https://git.conflux.local/%2e%2e/private/other",
                "https://git.conflux.local/..\\private\\other"}) {
            assertThatThrownBy(() -> rewriter.remote(climb)).as(climb).isInstanceOf(GitUrlException.class)
                    .hasMessageContaining("spec.url");
        }
    }

    /**
     * Tenant A fetches its private repository with credentials; tenant B names the same URL with none. B's fetch goes
     * to the server, which refuses it, and B's target stays empty: A's mirror is not B's.
     */
    @Test
    void anotherTenantNamingTheSameUrlWithoutCredentialsDoesNotGetTheFirstTenantsContent() throws Exception {
        Map<String, String> shas = TaggedRepository.create(tmp.resolve("repos/acme/private"));
        try (LocalHttpGitServer server = LocalHttpGitServer.start(tmp.resolve("repos"), "flux", "s3cret")) {
            String url = server.url("acme/private");
            GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), TIMEOUT);
            Revision main = new Revision("main", shas.get("main"));
            Path a = Files.createDirectories(tmp.resolve("a"));
            assertThat(mirror.checkout(TENANT_A, url, main, a, new GitCredentials("flux", "s3cret", null), null))
                    .isEqualTo(1);

            Path b = Files.createDirectories(tmp.resolve("b"));
            int refusedBefore = server.rejected().size();
            assertThatThrownBy(() -> mirror.checkout(TENANT_B, url, main, b, GitCredentials.NONE, null))
                    .isInstanceOf(GitException.class).hasMessageContaining("fetch " + url + " failed");
            assertThat(server.rejected().size()).isGreaterThan(refusedBefore);
            assertThat(b).isEmptyDirectory();

            // A deleted: its mirrors go; B's (empty) mirror stays B's
            mirror.forget(TENANT_A);
            try (Stream<Path> owners = Files.list(tmp.resolve("mirrors"))) {
                assertThat(owners.count()).isEqualTo(1);
            }
        }
    }

    private static void assertRefused(String url, String kind) {
        assertThatThrownBy(() -> GitRepositoryUrl.check(url)).as(url)
                .isInstanceOf(GitUrlException.class)
                .hasMessageStartingWith("spec.url is ")
                .hasMessageContaining(kind)
                .hasMessageContaining("^(http|https|ssh)://.*$");
    }
}
