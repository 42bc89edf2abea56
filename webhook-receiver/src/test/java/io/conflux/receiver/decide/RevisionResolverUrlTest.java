package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.Revision;
import io.conflux.receiver.decide.RevisionResolver.SourceFailure;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.quarkus.runtime.configuration.MemorySize;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver's ls-remote reaches only what a tenant may name: http, https and ssh URLs (Flux's CRD pattern); a
 * {@code file://} URL or a local path is {@code URLInvalid} naming {@code spec.url} and is never listed, while the
 * operator's rewrite of {@code https://git.conflux.local/} to a local directory still resolves.
 */
class RevisionResolverUrlTest {
    @TempDir
    Path tmp;

    private String head;

    @BeforeEach
    void repository() throws Exception {
        Path work = tmp.resolve("repos/acme/app");
        Files.createDirectories(work);
        Files.writeString(work.resolve("a.yaml"), "kind: A\n");
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            head = git.commit().setMessage("one").setAuthor("t", "t@t").setCommitter("t", "t@t").call().name();
        }
    }

    @Test
    void aFileUrlIsRefusedNamingSpecUrl() {
        assertRefused(tmp.resolve("repos/acme/app").toUri().toString(), "a file:// URL");
    }

    @Test
    void aBareLocalPathIsRefusedNamingSpecUrl() {
        assertRefused(tmp.resolve("repos/acme/app").toString(), "a local path");
    }

    @Test
    void anScpLikeAddressIsRefusedAsFluxsPatternRefusesIt() {
        assertRefused("git@github.com:acme/app.git", "an scp-like address");
    }

    @Test
    void theOperatorsRewriteToALocalDirectoryStillResolves() {
        assertThat(resolver().resolve(repository("https://git.conflux.local/acme/app")))
                .isEqualTo(new Revision("main", head));
        assertRefused("https://git.conflux.local/../repos/acme/app", "climbs out");
    }

    private void assertRefused(String url, String kind) {
        assertThatThrownBy(() -> resolver().resolve(repository(url)))
                .isInstanceOf(SourceFailure.class)
                .hasMessageStartingWith("spec.url ")
                .hasMessageContaining(kind)
                .satisfies(e -> assertThat(((SourceFailure) e).reason()).isEqualTo(RevisionResolver.URL_INVALID));
    }

    private RevisionResolver resolver() {
        RevisionResolver resolver = new RevisionResolver();
        Map<String, String> rewrites = Map.of("https://git.conflux.local/", tmp.resolve("repos").toUri().toString());
        resolver.git = new GitConfig() {
            @Override
            public Map<String, String> urlRewrites() {
                return rewrites;
            }

            @Override
            public MemorySize maxFetchSize() {
                return new MemorySize(BigInteger.valueOf(64L << 20));
            }
        };
        // only the ls-remote bound is read; any other key is a test error
        resolver.config = (ReceiverConfig) Proxy.newProxyInstance(ReceiverConfig.class.getClassLoader(),
                new Class<?>[] {ReceiverConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("defaultTimeout")) {
                        return Duration.ofSeconds(20);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        resolver.init();
        return resolver;
    }

    private static GitRepository repository(String url) {
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace("team-b").withName("app").build());
        repo.setSpec(new GitRepositorySpec(url, GitRepositoryRef.branch("main"), "1m", null, null, null, null, null));
        return repo;
    }
}
