package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.git.GitException;
import io.conflux.git.GitSource;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryInclude;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.Revision;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a Kustomization's GitRepository becomes a source to render: credentials, timeout, ignore, includes. */
class GitSourcesTest {
    private static final String NS = "flux-system";
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);

    private final Map<ObjectKey, GitRepository> repositories = new HashMap<>();
    /** The stored artifacts (table {@code source_artifact}). */
    private final Map<ObjectKey, GitSources.At> latest = new HashMap<>();
    private final Map<String, Map<String, String>> secrets = new HashMap<>();
    private final GitSources sources = new GitSources(k -> Optional.ofNullable(repositories.get(k)),
            k -> Optional.ofNullable(latest.get(k)), (ns, name) -> secrets.get(ns + "/" + name));

    private static ObjectKey key(String name) {
        return new ObjectKey(GitRepository.KIND, NS, name);
    }

    /** A GitRepository {@code name} with {@code stored} its stored artifact's revision (none when null). */
    private void repository(String name, String secret, String stored, GitRepositoryInclude... includes) {
        GitRepository g = new GitRepository();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        g.setSpec(new GitRepositorySpec("ssh://git@git.example.com/acme/" + name, GitRepositoryRef.branch("main"), "1m",
                "30s", secret == null ? null : new LocalObjectReference(secret), null, "*.md\n",
                includes.length == 0 ? null : List.of(includes)));
        if (stored != null) {
            latest.put(key(name), new GitSources.At(g.getSpec().url(), stored, latest.size() + 1));
        }
        repositories.put(key(name), g);
    }

    private static GitRepositoryInclude include(String name, String from, String to) {
        return new GitRepositoryInclude(new LocalObjectReference(name), from, to);
    }

    @Test
    void resolvesIncludesRecursivelyWithTheirOwnCredentialsAndLatestRevisions() {
        secrets.put(NS + "/ssh-auth", Map.of("identity", "KEY", "known_hosts", "git.example.com ecdsa-sha2-nistp256 AAAA"));
        repository("apps", "ssh-auth", "main@sha1:" + A, include("shared", "deploy", "base/shared"));
        repository("shared", null, "main@sha1:" + B, include("common", null, null));
        repository("common", null, null);
        latest.put(key("common"), new GitSources.At("https://example.com/common", "main@sha1:" + C, 7));

        GitSource source = sources.resolve(key("apps"), "ssh://git@git.example.com/acme/apps", new Revision("main", A));
        assertThat(source.name()).isEqualTo("apps");
        assertThat(source.credentials().get().identity()).isEqualTo("KEY");
        assertThat(source.credentials().get().knownHosts()).startsWith("git.example.com");
        assertThat(source.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(source.ignore()).isEqualTo("*.md\n");
        GitSource.Include shared = source.includes().get(0);
        assertThat(shared.fromPath()).isEqualTo("deploy");
        assertThat(shared.toPath()).isEqualTo("base/shared");
        assertThat(shared.source().revision()).isEqualTo(new Revision("main", B));
        GitSource common = shared.source().includes().get(0).source();
        assertThat(common.revision()).isEqualTo(new Revision("main", C));
        assertThat(common.url()).isEqualTo("https://example.com/common");

        assertThat(sources.includedRevisions(key("apps"))).isEqualTo("shared=main@sha1:" + B + ",common=main@sha1:" + C);
        assertThat(sources.includedRevisions(key("common"))).isEmpty();
        assertThat(sources.includes(key("apps"), key("common"))).isTrue();
        assertThat(sources.includes(key("common"), key("apps"))).isFalse();
    }

    @Test
    void includeWithoutArtifactCyclesAndMissingSecretsFailClearly() {
        repository("apps", null, "main@sha1:" + A, include("pending", null, null));
        repository("pending", null, null);
        assertThat(sources.includedRevisions(key("apps"))).isEqualTo("pending=");
        assertThatThrownBy(() -> sources.resolve(key("apps"), "u", new Revision("main", A)))
                .isInstanceOf(GitException.class)
                .hasMessage("include 'pending': no artifact available for GitRepository flux-system/pending");

        repository("x", null, "main@sha1:" + A, include("y", null, null));
        repository("y", null, "main@sha1:" + B, include("x", null, null));
        assertThat(sources.includes(key("x"), key("x"))).isTrue();
        assertThatThrownBy(() -> sources.resolve(key("x"), "u", new Revision("main", A)))
                .hasMessageContaining("include 'x': include cycle through GitRepository flux-system/y");

        // the Secret is read when a fetch asks for the credentials, not before: a mirrored commit is read without it
        repository("locked", "absent", "main@sha1:" + A);
        GitSource locked = sources.resolve(key("locked"), "u", new Revision("main", A));
        assertThatThrownBy(() -> locked.credentials().get())
                .isInstanceOf(GitException.class)
                .hasMessage("failed to get secret 'flux-system/absent': not found");
    }
}
