package io.conflux.receiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.conflux.artifacts.Tarballs;
import io.conflux.artifacts.testing.LocalS3Server;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.BucketSpec;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositoryRef;
import io.conflux.model.source.OCIRepositorySpec;
import io.conflux.model.source.OCIRepositoryVerification;
import io.conflux.model.topic.Topics;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The receiver polls OCIRepositories and Buckets as source-controller does, against a real OCI registry
 * ({@link LocalOciRegistry}, artifacts pushed as {@code flux push artifact}) and a real S3 server (S3Proxy), on real
 * Kafka, PostgreSQL and the in-memory Kubernetes API: their status says {@code Ready=Unknown} {@code Progressing}
 * with Flux's revision ({@code latest@sha256:…}, the semver-selected tag, {@code sha256:<index digest>}) in
 * source-controller's message (the artifact is the renderer's to write once stored), and a
 * {@code SourceRevision} keyed {@code OCIRepository/<ns>/<name>} / {@code Bucket/<ns>/<name>} is published; a moved
 * tag is seen at the next reconcile; a field Conflux does not act on and refused credentials are {@code Ready=False}
 * with Flux's reason and a message naming the field.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedInfrastructure.class)
class ArtifactSourceFlowTest {
    private static final String NS = "default";

    @Test
    void ociRepositoriesGetFluxRevisionsAndArePublished() {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        try (LocalOciRegistry registry = LocalOciRegistry.start()) {
            String latest = registry.pushArtifact("manifests/app", "latest", tgz("one"), Map.of());
            registry.pushArtifact("manifests/app", "1.0.0", tgz("one"), Map.of());
            String v11 = registry.pushArtifact("manifests/app", "1.1.0", tgz("two"), Map.of());
            String url = "oci://" + registry.host() + "/manifests/app";
            kube.resource(oci("oci-latest", new OCIRepositorySpec(url, null, null, null, null, null, null, null, null,
                    true, "1h", "10s", null, null))).create();
            kube.resource(oci("oci-semver", new OCIRepositorySpec(url, new OCIRepositoryRef(null, ">=1.0.0 <2.0.0", null, null),
                    null, null, null, null, null, null, null, true, "1h", "10s", null, null))).create();

            // the receiver resolves and publishes; the artifact (digest, path) is the renderer's to write once stored
            OCIRepository ready = await("oci-latest Progressing", () -> progressing(kube, OCIRepository.class,
                    "oci-latest", "latest@" + latest));
            assertThat(ready.getStatus().artifact()).isNull();
            assertThat(ready.getStatus().url()).isEqualTo(url);
            assertThat(ready.getStatus().observedGeneration()).isEqualTo(ready.getMetadata().getGeneration());
            assertThat(await("oci-semver Progressing", () -> progressing(kube, OCIRepository.class, "oci-semver",
                    "1.1.0@" + v11))).isNotNull();
            assertThat(await("the OCIRepository's SourceRevision", () -> published("OCIRepository/default/oci-latest",
                    "latest@" + latest))).isTrue();

            // the tag moves; a reconcile request (flux reconcile source oci) sees it
            String moved = registry.pushArtifact("manifests/app", "latest", tgz("three"), Map.of());
            kube.resources(OCIRepository.class).inNamespace(NS).withName("oci-latest").edit(o -> {
                o.getMetadata().setAnnotations(Map.of("reconcile.fluxcd.io/requestedAt", "2026-12-06T19:00:00Z"));
                return o;
            });
            assertThat(await("the moved tag", () -> progressing(kube, OCIRepository.class, "oci-latest",
                    "latest@" + moved)).getStatus().lastHandledReconcileAt()).isEqualTo("2026-12-06T19:00:00Z");
            assertThat(await("the moved tag's SourceRevision", () -> published("OCIRepository/default/oci-latest",
                    "latest@" + moved))).isTrue();

            // a field Conflux does not act on is reported by name, never ignored
            kube.resource(oci("oci-verify", new OCIRepositorySpec(url, null, null, null, null, null, null, null,
                    new OCIRepositoryVerification("cosign", null, null), true, "1h", "10s", null, null))).create();
            Condition refused = await("oci-verify refused", () -> readyCondition(kube, OCIRepository.class, "oci-verify", "False"));
            assertThat(refused.reason()).isEqualTo("NotSupported");
            assertThat(refused.message()).startsWith("spec.verify:");
        }
    }

    @Test
    void bucketsGetTheIndexDigestAndRefusedKeysAreReported() {
        KubernetesClient kube = EmbeddedInfrastructure.kube.client();
        try (LocalS3Server s3 = LocalS3Server.startProcess("AKIDRECEIVER", "receiver-secret")) {
            s3.createBucket("fleet");
            s3.put("fleet", "apps/cm.yaml", "kind: ConfigMap\n".getBytes(StandardCharsets.UTF_8));
            kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("s3-keys").endMetadata()
                    .withStringData(Map.of("accesskey", "AKIDRECEIVER", "secretkey", "receiver-secret")).build()).create();
            kube.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("s3-wrong").endMetadata()
                    .withStringData(Map.of("accesskey", "AKIDRECEIVER", "secretkey", "not-the-key")).build()).create();
            kube.resource(bucket("fleet", "s3-keys", s3.endpoint())).create();
            kube.resource(bucket("fleet-wrong", "s3-wrong", s3.endpoint())).create();

            Bucket ready = await("the Bucket Progressing", () -> {
                Bucket b = kube.resources(Bucket.class).inNamespace(NS).withName("fleet").get();
                return b != null && b.getStatus() != null && Conditions.find(b.getStatus().conditions(), "Ready")
                        .filter(c -> "Progressing".equals(c.reason())).isPresent() ? b : null;
            });
            assertThat(ready.getStatus().artifact()).isNull();
            String message = Conditions.find(ready.getStatus().conditions(), "Ready").orElseThrow().message();
            assertThat(message).matches("building artifact: new upstream revision 'sha256:[0-9a-f]{64}'");
            String revision = message.substring(message.indexOf('\'') + 1, message.length() - 1);
            assertThat(await("the Bucket's SourceRevision", () -> published("Bucket/default/fleet", revision))).isTrue();

            Condition refused = await("wrong keys refused", () -> readyCondition(kube, Bucket.class, "fleet-wrong", "False"));
            assertThat(refused.reason()).isEqualTo("AuthenticationFailed");
            assertThat(refused.message()).contains("bucket 'fleet'").doesNotContain("not-the-key");
        }
    }

    private static OCIRepository oci(String name, OCIRepositorySpec spec) {
        OCIRepository o = new OCIRepository();
        o.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        o.setSpec(spec);
        return o;
    }

    private static Bucket bucket(String name, String secret, String endpoint) {
        Bucket b = new Bucket();
        b.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName(name).build());
        b.setSpec(new BucketSpec(null, "fleet", endpoint, null, true, null, "apps/", new LocalObjectReference(secret),
                null, null, null, "1h", "10s", null, null));
        return b;
    }

    private static byte[] tgz(String value) {
        return Tarballs.pack(Map.of("cm.yaml", ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  v: "
                + value + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * @return the object once its {@code Ready} is {@code Unknown}, reason {@code Progressing}, message {@code building
     *         artifact: new upstream revision '<revision>'} (what the receiver writes before the renderer stores it)
     */
    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T progressing(KubernetesClient kube,
                                                                                        Class<T> type, String name,
                                                                                        String revision) {
        T o = kube.resources(type).inNamespace(NS).withName(name).get();
        // one read: the status and the object returned are the same snapshot
        List<Condition> conditions = o instanceof OCIRepository r ? (r.getStatus() == null ? null : r.getStatus().conditions())
                : o instanceof Bucket b && b.getStatus() != null ? b.getStatus().conditions() : null;
        Condition ready = Conditions.find(conditions, "Ready").filter(c -> "Unknown".equals(c.status())).orElse(null);
        return ready != null && "Progressing".equals(ready.reason())
                && ready.message().equals("building artifact: new upstream revision '" + revision + "'") ? o : null;
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Condition readyCondition(
            KubernetesClient kube, Class<T> type, String name, String status) {
        T o = kube.resources(type).inNamespace(NS).withName(name).get();
        if (o == null) {
            return null;
        }
        Object s = o instanceof OCIRepository r ? (r.getStatus() == null ? null : r.getStatus().conditions())
                : ((Bucket) o).getStatus() == null ? null : ((Bucket) o).getStatus().conditions();
        @SuppressWarnings("unchecked")
        List<Condition> conditions = (List<Condition>) s;
        return Conditions.find(conditions, "Ready").filter(c -> status.equals(c.status())).orElse(null);
    }

    /** @return true once a {@code conflux.source-revisions} record with that key names that revision, else null */
    private static Boolean published(String key, String revision) {
        return EmbeddedInfrastructure.records(Topics.SOURCE_REVISIONS).stream()
                .anyMatch(r -> key.equals(r.key()) && r.value().contains("\"revision\":\"" + revision + "\"")) ? true : null;
    }


    private static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("gave up waiting for " + what);
    }
}
