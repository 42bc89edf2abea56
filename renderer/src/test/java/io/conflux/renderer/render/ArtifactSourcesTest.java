package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.artifacts.BucketSources;
import io.conflux.artifacts.Digests;
import io.conflux.artifacts.Tarballs;
import io.conflux.artifacts.testing.LocalS3Server;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.BucketSpec;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositorySpec;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kustomizations whose {@code sourceRef} is an {@code OCIRepository} or a {@code Bucket} render from the content the
 * renderer fetched and stored for the published revision: from a real registry ({@link LocalOciRegistry}, artifacts
 * pushed as {@code flux push artifact} does) and a real S3 server (S3Proxy). The source's {@code status.artifact}
 * gets the digest of the stored tarball (and the manifest's annotations as metadata); a revision that cannot be
 * fetched is {@code Ready=False} with Flux's reason and nothing renders; a Bucket changed since its listing is not
 * stored under the old revision.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class ArtifactSourcesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "team-artifacts";

    private Path tmp;
    private InMemoryKubernetes kube;
    private KubernetesClient client;
    @Inject
    ReactiveRunner runner;
    @Inject
    BundleStore bundleStore;
    @Inject
    Outbox outbox;
    private TestCoordinators.Published published;
    private final TestCoordinators.Watched watched = new TestCoordinators.Watched();
    private RenderCoordinator coordinator;

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-artifact-sources");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        kube.installCrds(Path.of("..", "artifacts", "src", "test", "resources", "crds"));
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        TestCoordinators.forgetNamespace(runner, NS);
        coordinator = TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox, Map.of(), watched);
    }

    @AfterEach
    void stop() throws Exception {
        coordinator.close();
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    @Test
    void aKustomizationRendersTheOciArtifactOfThePublishedRevision() {
        byte[] layer = Tarballs.pack(Map.of(
                "deploy/kustomization.yaml", b("resources:\n  - cm.yaml\n"),
                "deploy/cm.yaml", b("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-oci\ndata:\n  v: one\n")));
        try (LocalOciRegistry registry = LocalOciRegistry.start()) {
            String digest = registry.pushArtifact("manifests/app", "latest", layer,
                    Map.of("org.opencontainers.image.source", "https://github.com/example/app"));
            String url = "oci://" + registry.host() + "/manifests/app";
            OCIRepository repo = new OCIRepository();
            repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("app").build());
            repo.setSpec(new OCIRepositorySpec(url, null, null, null, null, null, null, null, null, true, "1m", "10s",
                    null, null));
            client.resource(repo).create();
            watched.kustomizations.add(kustomization("OCIRepository", "./deploy"));

            String revision = "latest@" + digest;
            coordinator.onSourceRevision(revision("OCIRepository", url, revision)).await().atMost(WAIT);

            assertThat(published.list()).singleElement().satisfies(r -> {
                assertThat(r.object()).isEqualTo("Kustomization/" + NS + "/apps");
                assertThat(r.sourceRevision()).isEqualTo(revision);
                assertThat(r.error()).isNull();
                assertThat(r.bundleDigest()).isNotNull();
                assertThat(r.objectCount()).isEqualTo(1);
            });
            OCIRepository after = client.resources(OCIRepository.class).inNamespace(NS).withName("app").get();
            assertThat(after.getStatus().artifact().revision()).isEqualTo(revision);
            assertThat(after.getStatus().artifact().digest()).isEqualTo(Digests.sha256(layer));
            assertThat(after.getStatus().artifact().size()).isEqualTo(layer.length);
            assertThat(after.getStatus().artifact().metadata())
                    .containsEntry("org.opencontainers.image.source", "https://github.com/example/app");
            assertThat(Conditions.find(after.getStatus().conditions(), Condition.READY).map(Condition::message))
                    .contains("stored artifact for digest '" + revision + "'");

            // a revision whose manifest the registry does not have: Ready=False with Flux's reason, nothing renders
            published.clear();
            String missing = "latest@sha256:" + "0".repeat(64);
            coordinator.onSourceRevision(revision("OCIRepository", url, missing)).await().atMost(WAIT);
            OCIRepository failed = client.resources(OCIRepository.class).inNamespace(NS).withName("app").get();
            Condition ready = Conditions.find(failed.getStatus().conditions(), Condition.READY).orElseThrow();
            assertThat(ready.status()).isEqualTo("False");
            assertThat(ready.reason()).isEqualTo("OCIArtifactPullFailed");
            assertThat(failed.getStatus().artifact().revision()).as("the last stored artifact is kept").isEqualTo(revision);
            assertThat(published.list()).isEmpty();
        }
    }

    @Test
    void aKustomizationRendersTheBucketObjectsStoredForTheRevision() {
        try (LocalS3Server s3 = LocalS3Server.startProcess("AKIDRENDERER", "renderer-secret")) {
            s3.createBucket("fleet");
            s3.put("fleet", "apps/kustomization.yaml", b("resources:\n  - cm.yaml\n"));
            s3.put("fleet", "apps/cm.yaml", b("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-bucket\n"));
            client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("s3-keys").endMetadata()
                    .withStringData(Map.of("accesskey", "AKIDRENDERER", "secretkey", "renderer-secret")).build()).create();
            Bucket bucket = new Bucket();
            bucket.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("app").build());
            bucket.setSpec(new BucketSpec(null, "fleet", s3.endpoint(), null, true, null, null,
                    new LocalObjectReference("s3-keys"), null, null, null, "1m", "10s", null, null));
            client.resource(bucket).create();
            watched.kustomizations.add(kustomization("Bucket", "./apps"));
            String url = BucketSources.url(bucket.getSpec());
            // what the receiver's listing publishes
            String revision = BucketSources.revision(bucket,
                    name -> Optional.of(Map.of("accesskey", b("AKIDRENDERER"), "secretkey", b("renderer-secret"))));

            coordinator.onSourceRevision(revision("Bucket", url, revision)).await().atMost(WAIT);

            assertThat(published.list()).singleElement().satisfies(r -> {
                assertThat(r.sourceRevision()).isEqualTo(revision);
                assertThat(r.error()).isNull();
                assertThat(r.objectCount()).isEqualTo(1);
            });
            Bucket after = client.resources(Bucket.class).inNamespace(NS).withName("app").get();
            assertThat(after.getStatus().artifact().revision()).isEqualTo(revision);
            assertThat(after.getStatus().artifact().digest()).matches("sha256:[0-9a-f]{64}");
            assertThat(Conditions.find(after.getStatus().conditions(), Condition.READY).map(Condition::message))
                    .contains("stored artifact: revision '" + revision + "'");

            // the bucket changes after the listing the revision came from: that revision is not stored again, nothing
            // renders; the receiver's next poll publishes the new revision
            published.clear();
            s3.put("fleet", "apps/cm.yaml", b("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed\n"));
            coordinator.onSourceRevision(revision("Bucket", url, "sha256:" + "1".repeat(64))).await().atMost(WAIT);
            assertThat(published.list()).isEmpty();
            assertThat(TestCoordinators.storedRevision(runner, new ObjectKey("Bucket", NS, "app"))).contains(revision);
        }
    }

    private static SourceRevision revision(String kind, String url, String revision) {
        return new SourceRevision(new ObjectKey(kind, NS, "app").toString(), 1L, url, null, revision, Trigger.POLL,
                null, "2026-12-06T19:00:00Z");
    }

    private static Kustomization kustomization(String kind, String path) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: %s
                  generation: 1
                spec:
                  interval: 10m
                  path: %s
                  prune: true
                  sourceRef:
                    kind: %s
                    name: app
                """.formatted(NS, path, kind), Kustomization.class);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
