package io.conflux.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.source.OCILayerSelector;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositoryRef;
import io.conflux.model.source.OCIRepositorySpec;
import io.conflux.model.source.OCIRepositoryVerification;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OCIRepository revisions and content against a real registry ({@link LocalOciRegistry}) holding artifacts pushed as
 * {@code flux push artifact} does: revisions in Flux's format for tag, semver (with filter) and digest refs, the
 * layer by media type, credentials from username/password and docker config Secrets, refusals naming the field.
 */
class OciSourcesTest {
    private static LocalOciRegistry registry;
    private static LocalOciRegistry secured;
    private static final byte[] V1 = Tarballs.pack(Map.of("deploy/cm.yaml", cm("one")));
    private static final byte[] V2 = Tarballs.pack(Map.of("deploy/cm.yaml", cm("two")));
    private static String latest;
    private static String v110;

    @BeforeAll
    static void start() {
        registry = LocalOciRegistry.start();
        latest = registry.pushArtifact("manifests/app", "latest", V1,
                Map.of("org.opencontainers.image.source", "https://github.com/example/app",
                        "org.opencontainers.image.revision", "main@sha1:0123456789abcdef0123456789abcdef01234567"));
        registry.pushArtifact("manifests/app", "1.0.0", V1, Map.of());
        v110 = registry.pushArtifact("manifests/app", "1.1.0", V2, Map.of());
        registry.pushArtifact("manifests/app", "2.0.0-rc.1", V2, Map.of());
        registry.pushArtifact("manifests/app", "v1.2.0", V2, Map.of());
        secured = LocalOciRegistry.builder().basicAuth("flux", "s3cret").start();
        secured.pushArtifact("manifests/app", "latest", V1, Map.of());
    }

    @AfterAll
    static void stop() {
        registry.close();
        secured.close();
    }

    private static byte[] cm(String value) {
        return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  value: " + value + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static OCIRepository repo(String url, OCIRepositoryRef ref, LocalObjectReference secret) {
        OCIRepository r = new OCIRepository();
        r.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("app").build());
        r.setSpec(new OCIRepositorySpec(url, ref, null, null, secret, null, null, null, null, true, "1m", "10s", null, null));
        return r;
    }

    private static final SecretLookup NO_SECRETS = name -> Optional.empty();

    @Test
    void defaultRefIsLatestTagAtManifestDigest() {
        String revision = OciSources.revision(repo("oci://" + registry.host() + "/manifests/app", null, null), NO_SECRETS);
        assertThat(revision).isEqualTo("latest@" + latest).matches("latest@sha256:[0-9a-f]{64}");
    }

    @Test
    void semverSelectsTheHighestMatchingTag() {
        String url = "oci://" + registry.host() + "/manifests/app";
        assertThat(OciSources.revision(repo(url, new OCIRepositoryRef(null, ">=1.0.0 <2.0.0", null, null), null), NO_SECRETS))
                .startsWith("v1.2.0@sha256:");
        assertThat(OciSources.revision(repo(url, new OCIRepositoryRef(null, ">=1.0.0 <2.0.0", "^1\\.", null), null), NO_SECRETS))
                .isEqualTo("1.1.0@" + v110);
        assertThatThrownBy(() -> OciSources.revision(repo(url, new OCIRepositoryRef(null, ">=3.0.0", null, null), null), NO_SECRETS))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("OCIArtifactPullFailed");
                    assertThat(e.getMessage()).isEqualTo("no match found for semver: >=3.0.0");
                });
    }

    @Test
    void digestRefIsTheDigestAlone() {
        String url = "oci://" + registry.host() + "/manifests/app";
        assertThat(OciSources.revision(repo(url, new OCIRepositoryRef(v110, null, null, "latest"), null), NO_SECRETS))
                .isEqualTo(v110);
    }

    @Test
    void fetchReadsTheLayerOfTheRevisionsDigestWithTheAnnotations() throws Exception {
        OCIRepository r = repo("oci://" + registry.host() + "/manifests/app", null, null);
        FetchedArtifact fetched = OciSources.fetch(r, "latest@" + latest, NO_SECRETS, 1 << 20);
        assertThat(fetched.tarball()).isEqualTo(V1); // extracted and packed again: the same reproducible tarball
        assertThat(fetched.digest()).isEqualTo(Digests.sha256(V1));
        assertThat(fetched.metadata()).containsEntry("org.opencontainers.image.source", "https://github.com/example/app");
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/a"));
            assertThat(Tarballs.extract(fetched.tarball(), root, 1 << 20, "test")).isEqualTo(1);
            assertThat(Files.readString(root.resolve("deploy/cm.yaml"))).contains("value: one");
        }
        // a tag moved since: the revision's digest is fetched, not the tag
        OCIRepository moved = repo("oci://" + registry.host() + "/manifests/app", null, null);
        assertThat(OciSources.fetch(moved, "1.1.0@" + v110, NO_SECRETS, 1 << 20).tarball()).isEqualTo(V2);
    }

    @Test
    void layerSelectorOfAnotherMediaTypeFailsNamingIt() {
        OCIRepository r = repo("oci://" + registry.host() + "/manifests/app", null, null);
        r.setSpec(new OCIRepositorySpec(r.getSpec().url(), null, new OCILayerSelector("application/x-other", "copy"),
                null, null, null, null, null, null, true, "1m", null, null, null));
        assertThatThrownBy(() -> OciSources.fetch(r, "latest@" + latest, NO_SECRETS, 1 << 20))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("OCIArtifactLayerOperationFailed");
                    assertThat(e.getMessage()).contains("failed to find layer with media type 'application/x-other'");
                });
    }

    @Test
    void credentialsFromUsernamePasswordOrDockerConfig() {
        String url = "oci://" + secured.host() + "/manifests/app";
        assertThatThrownBy(() -> OciSources.revision(repo(url, null, null), NO_SECRETS))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.reason()).isEqualTo("AuthenticationFailed"));
        SecretLookup basic = name -> Optional.of(Map.of("username", b("flux"), "password", b("s3cret")));
        assertThat(OciSources.revision(repo(url, null, new LocalObjectReference("creds")), basic)).startsWith("latest@sha256:");
        String auth = Base64.getEncoder().encodeToString(b("flux:s3cret"));
        SecretLookup docker = name -> Optional.of(Map.of(".dockerconfigjson",
                b("{\"auths\":{\"" + secured.host() + "\":{\"auth\":\"" + auth + "\"}}}")));
        assertThat(OciSources.revision(repo(url, null, new LocalObjectReference("creds")), docker)).startsWith("latest@sha256:");
        SecretLookup wrong = name -> Optional.of(Map.of("username", b("flux"), "password", b("wrong")));
        assertThatThrownBy(() -> OciSources.revision(repo(url, null, new LocalObjectReference("creds")), wrong))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("AuthenticationFailed");
                    assertThat(e.getMessage()).doesNotContain("wrong");
                });
        assertThatThrownBy(() -> OciSources.revision(repo(url, null, new LocalObjectReference("missing")), NO_SECRETS))
                .isInstanceOfSatisfying(ArtifactException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("failed to get secret 'missing' (spec.secretRef): not found"));
    }

    @Test
    void unsupportedFieldsAreNamed() {
        OCIRepository r = repo("oci://" + registry.host() + "/manifests/app", null, null);
        r.setSpec(new OCIRepositorySpec(r.getSpec().url(), null, null, null, null, null, null, null,
                new OCIRepositoryVerification("cosign", null, null), true, "1m", null, null, null));
        assertThatThrownBy(() -> OciSources.revision(r, NO_SECRETS))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("NotSupported");
                    assertThat(e.getMessage()).startsWith("spec.verify:");
                });
        assertThatThrownBy(() -> OciUrl.parse("https://ghcr.io/x")).isInstanceOfSatisfying(ArtifactException.class,
                e -> assertThat(e.reason()).isEqualTo("URLInvalid"));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
