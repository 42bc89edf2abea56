package io.conflux.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.artifacts.testing.LocalS3Server;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.BucketSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bucket revisions and content against a real S3-compatible server (S3Proxy, {@link LocalS3Server}): the revision is
 * source-controller's index digest over keys and etags under the prefix, changes when an object does, leaves out
 * ignored keys; the fetched tarball holds exactly the indexed objects; failures carry Flux's reasons.
 */
class BucketSourcesTest {
    private static LocalS3Server s3;
    private static final SecretLookup KEYS = name -> "s3-keys".equals(name)
            ? Optional.of(Map.of("accesskey", b("AKIDCONFLUX"), "secretkey", b("conflux-secret-key"))) : Optional.empty();

    @BeforeAll
    static void start() {
        s3 = LocalS3Server.start("AKIDCONFLUX", "conflux-secret-key");
        s3.createBucket("manifests");
        s3.put("manifests", "apps/cm.yaml", b("kind: ConfigMap\n"));
        s3.put("manifests", "apps/notes.md", b("# notes\n"));
        s3.put("manifests", "other/x.yaml", b("x: 1\n"));
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    private static Bucket bucket(String name, String prefix, String ignore, String secret) {
        Bucket b = new Bucket();
        b.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("b").build());
        b.setSpec(new BucketSpec(null, name, s3.endpoint(), null, true, null, prefix,
                secret == null ? null : new LocalObjectReference(secret), null, null, null, "1m", "10s", ignore, null));
        return b;
    }

    @Test
    void revisionIsTheIndexDigestOfKeysAndEtags() {
        BucketIndex index = BucketSources.index(bucket("manifests", "apps/", null, "s3-keys"), KEYS);
        assertThat(index.entries()).containsOnlyKeys("apps/cm.yaml", "apps/notes.md");
        StringBuilder lines = new StringBuilder();
        index.entries().forEach((k, v) -> lines.append(k).append(' ').append(v).append('\n'));
        assertThat(index.revision()).isEqualTo(Digests.sha256(b(lines.toString()))).matches("sha256:[0-9a-f]{64}");
        assertThat(index.entries().values()).allSatisfy(etag -> assertThat(etag).doesNotContain("\"").isNotEmpty());
    }

    @Test
    void revisionChangesWithAnObjectAndIgnoreRulesLeaveKeysOut() {
        String before = BucketSources.revision(bucket("manifests", "other/", null, "s3-keys"), KEYS);
        s3.put("manifests", "other/x.yaml", b("x: 2\n"));
        String after = BucketSources.revision(bucket("manifests", "other/", null, "s3-keys"), KEYS);
        assertThat(after).isNotEqualTo(before);
        BucketIndex ignored = BucketSources.index(bucket("manifests", "apps/", "*.md\n", "s3-keys"), KEYS);
        assertThat(ignored.entries()).containsOnlyKeys("apps/cm.yaml");
    }

    @Test
    void fetchPacksTheIndexedObjectsUnderTheRevision() {
        Bucket b = bucket("manifests", "apps/", "*.md", "s3-keys");
        FetchedArtifact fetched = BucketSources.fetch(b, KEYS, 1 << 20);
        assertThat(fetched.revision()).isEqualTo(BucketSources.revision(b, KEYS));
        assertThat(fetched.tarball()).isEqualTo(Tarballs.pack(Map.of("apps/cm.yaml", b("kind: ConfigMap\n"))));
    }

    @Test
    void failuresCarryFluxReasons() {
        assertThatThrownBy(() -> BucketSources.revision(bucket("nope", null, null, "s3-keys"), KEYS))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("BucketOperationFailed");
                    assertThat(e.getMessage()).isEqualTo("bucket 'nope' not found");
                });
        SecretLookup wrong = name -> Optional.of(Map.of("accesskey", b("AKIDCONFLUX"), "secretkey", b("not-it")));
        assertThatThrownBy(() -> BucketSources.revision(bucket("manifests", null, null, "s3-keys"), wrong))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("AuthenticationFailed");
                    assertThat(e.getMessage()).doesNotContain("not-it");
                });
        Bucket gcp = bucket("manifests", null, null, null);
        gcp.setSpec(new BucketSpec("gcp", "manifests", s3.endpoint(), null, true, null, null, null, null, null, null,
                "1m", null, null, null));
        assertThatThrownBy(() -> BucketSources.revision(gcp, KEYS))
                .isInstanceOfSatisfying(ArtifactException.class, e -> {
                    assertThat(e.reason()).isEqualTo("NotSupported");
                    assertThat(e.getMessage()).startsWith("spec.provider 'gcp'");
                });
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
