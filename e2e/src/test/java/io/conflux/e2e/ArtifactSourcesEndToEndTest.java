package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.conflux.artifacts.Tarballs;
import io.conflux.artifacts.testing.LocalS3Server;
import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Conditions;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Kustomization from an {@code OCIRepository} (a real registry, {@link LocalOciRegistry}, holding an artifact pushed
 * as {@code flux push artifact} does) and one from a {@code Bucket} (a real S3 server, S3Proxy) across the four
 * services on real Kafka and PostgreSQL: both sources and both Kustomizations end {@code Ready=True} with Flux's
 * revisions, and the objects of each are on the cluster.
 */
class ArtifactSourcesEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();

    static InMemoryKubernetes cluster;
    static LocalOciRegistry registry;
    static LocalS3Server s3;
    static LocalInstallation conflux;
    static String ociDigest;

    @BeforeAll
    static void start() throws Exception {
        Path work = PROJECT.resolve("e2e/target/artifacts-" + System.currentTimeMillis());
        Files.createDirectories(work);
        registry = LocalOciRegistry.start();
        ociDigest = registry.pushArtifact("manifests/app", "latest", Tarballs.pack(Map.of(
                "deploy/kustomization.yaml", b("resources:\n  - cm.yaml\n"),
                "deploy/cm.yaml", b("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-oci, namespace: default}\n"
                        + "data: {source: oci}\n"))), Map.of("org.opencontainers.image.source", "https://example.com/app"));
        s3 = LocalS3Server.start("AKIDE2E", "e2e-secret-key");
        s3.createBucket("fleet");
        s3.put("fleet", "apps/cm.yaml", b("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-bucket, namespace: default}\n"
                + "data: {source: bucket}\n"));

        // the cluster: Conflux's CRDs, and OCIRepository/Bucket from the artifacts module until deploy/crds ships them
        cluster = InMemoryKubernetes.start();
        cluster.installCrds(PROJECT.resolve("deploy/crds"));
        if (!Files.exists(PROJECT.resolve("deploy/crds/ocirepositories.yaml"))) {
            cluster.installCrds(PROJECT.resolve("artifacts/src/test/resources/crds"));
        }
        Path kubeconfig = cluster.writeKubeconfig(work.resolve("cluster-kubeconfig"));

        Path seed = work.resolve("seed/platform");
        Files.createDirectories(seed.resolve("clusters/platform"));
        Files.writeString(seed.resolve("clusters/platform/sources.yaml"), """
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: OCIRepository
                metadata: {name: app, namespace: flux-system}
                spec:
                  interval: 10m
                  url: oci://%s/manifests/app
                  ref: {tag: latest}
                  insecure: true
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: Bucket
                metadata: {name: fleet, namespace: flux-system}
                spec:
                  interval: 10m
                  provider: generic
                  bucketName: fleet
                  endpoint: %s
                  insecure: true
                  prefix: apps/
                  secretRef: {name: s3-keys}
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: from-oci, namespace: flux-system}
                spec:
                  interval: 10m
                  path: ./deploy
                  prune: true
                  sourceRef: {kind: OCIRepository, name: app}
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: from-bucket, namespace: flux-system}
                spec:
                  interval: 10m
                  path: ./apps
                  prune: true
                  sourceRef: {kind: Bucket, name: fleet}
                """.formatted(registry.host(), s3.endpoint()));
        FixtureRepositories.create(seed, work.resolve("git/platform"), "main");

        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), kubeconfig, Map.of(),
                Duration.ofMinutes(3)));
        conflux.client().resource(new SecretBuilder().withNewMetadata().withNamespace("flux-system").withName("s3-keys")
                .endMetadata().withStringData(Map.of("accesskey", "AKIDE2E", "secretkey", "e2e-secret-key")).build()).create();
        Bootstrap.gitOps(conflux.client(), new Bootstrap.Source("flux-system", "platform",
                "https://git.conflux.local/platform", "main", "./clusters/platform", "1m"));
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void kustomizationsFromAnOciRepositoryAndABucketEndReadyWithTheirObjects() {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(data("from-oci")).containsEntry("source", "oci");
            assertThat(data("from-bucket")).containsEntry("source", "bucket");
        });
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Kustomization oci = kustomization("from-oci");
            assertThat(Conditions.isReady(oci.getStatus().conditions(), oci.getMetadata().getGeneration())).isTrue();
            assertThat(oci.getStatus().lastAppliedRevision()).isEqualTo("latest@" + ociDigest);
            Kustomization bucket = kustomization("from-bucket");
            assertThat(Conditions.isReady(bucket.getStatus().conditions(), bucket.getMetadata().getGeneration())).isTrue();
            assertThat(bucket.getStatus().lastAppliedRevision()).matches("sha256:[0-9a-f]{64}");
        });
        OCIRepository oci = conflux.client().resources(OCIRepository.class).inNamespace("flux-system").withName("app").get();
        assertThat(oci.getStatus().artifact().revision()).isEqualTo("latest@" + ociDigest);
        assertThat(oci.getStatus().artifact().digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(oci.getStatus().artifact().metadata()).containsEntry("org.opencontainers.image.source", "https://example.com/app");
        Bucket bucket = conflux.client().resources(Bucket.class).inNamespace("flux-system").withName("fleet").get();
        assertThat(bucket.getStatus().artifact().revision()).isEqualTo(kustomization("from-bucket").getStatus().lastAppliedRevision());
        assertThat(Conditions.isReady(bucket.getStatus().conditions(), bucket.getMetadata().getGeneration())).isTrue();
    }

    private static Map<String, String> data(String name) {
        ConfigMap cm = conflux.client().configMaps().inNamespace("default").withName(name).get();
        return cm == null || cm.getData() == null ? Map.of() : cm.getData();
    }

    private static Kustomization kustomization(String name) {
        return conflux.client().resources(Kustomization.class).inNamespace("flux-system").withName(name).get();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
