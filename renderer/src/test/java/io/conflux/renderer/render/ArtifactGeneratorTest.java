package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.artifacts.BucketSources;
import io.conflux.artifacts.Tarballs;
import io.conflux.artifacts.testing.LocalS3Server;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.CrossNamespaceObjectReference;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.ArtifactGeneratorSpec;
import io.conflux.model.source.ArtifactGeneratorSpec.CopyOperation;
import io.conflux.model.source.ArtifactGeneratorSpec.OutputArtifact;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.BucketSpec;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositorySpec;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.GeneratedArtifact;
import io.conflux.service.Outbox;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flux 2.7's source-watcher flow in the renderer: an ArtifactGenerator splits a monorepo GitRepository into
 * ExternalArtifacts by its copy rules, Kustomizations render from them, and a commit outside an artifact's paths (or
 * only in files it excludes) changes neither its revision nor renders its Kustomizations. Invalid specs and copy rules
 * that match nothing fail the generator with Flux's reasons; a deleted generator or output takes its ExternalArtifacts.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class ArtifactGeneratorTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LOCAL = "https://git.conflux.local/";
    private static final String NS = "gen";
    private static final String URL = LOCAL + "mono";

    private Path tmp;
    private Path work;
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
    private String unique;

    @BeforeEach
    void start() throws Exception {
        published = new TestCoordinators.Published(runner);
        tmp = Files.createTempDirectory("conflux-generator");
        kube = InMemoryKubernetes.start();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        kube.installCrds(Path.of("src", "test", "resources", "crds-wt-gen"));
        client = kube.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        TestCoordinators.forgetNamespace(runner, NS);
        runner.run(blocking -> Panache.withTransaction(() -> GeneratedArtifact.delete("namespace", NS)))
                .await().atMost(WAIT);
        unique = UUID.randomUUID().toString();
        work = Files.createDirectories(tmp.resolve("repos/mono"));
        write("apps/kustomization.yaml", "resources:\n  - app.yaml\n");
        write("apps/app.yaml", configMap("app", "v1"));
        write("apps/README.md", "apps\n");
        write("infra/kustomization.yaml", "resources:\n  - infra.yaml\n");
        write("infra/infra.yaml", configMap("infra", "v1"));
        coordinator = TestCoordinators.coordinator(tmp, client, runner, bundleStore, outbox,
                Map.of(LOCAL, tmp.resolve("repos").toUri().toString()), watched);
        GitRepository repo = new GitRepository();
        repo.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("mono").build());
        repo.setSpec(new GitRepositorySpec(URL, GitRepositoryRef.branch("main"), "1m", null, null, null, null, null));
        client.resource(repo).create();
        watched.gitRepositories.put(new ObjectKey(GitRepository.KIND, NS, "mono"),
                client.resources(GitRepository.class).inNamespace(NS).withName("mono").get());
        watched.kustomizations.add(kustomization("apps", "./"));
        watched.kustomizations.add(kustomization("infra", "./infra"));
    }

    @AfterEach
    void stop() throws Exception {
        coordinator.close();
        kube.close();
        TestCoordinators.deleteTree(tmp);
    }

    @Test
    void splitsTheMonorepoAndACommitOutsideAPathRendersNothingOfIt() throws Exception {
        createGenerator(spec(List.of("*.md")));
        String r1 = commit();
        await(coordinator.onSourceRevision(revision(r1)));

        ExternalArtifact apps = externalArtifact("apps");
        ExternalArtifact infra = externalArtifact("infra");
        assertThat(apps.getSpec().sourceRef()).isEqualTo(new CrossNamespaceObjectReference(
                "source.extensions.fluxcd.io/v1beta1", "ArtifactGenerator", "split", NS));
        assertThat(apps.getMetadata().getLabels()).containsEntry("source.extensions.fluxcd.io/generator",
                generator().getMetadata().getUid());
        assertThat(apps.getStatus().artifact().revision()).matches("latest@sha256:[0-9a-f]{64}")
                .isEqualTo("latest@" + apps.getStatus().artifact().digest());
        assertThat(apps.getStatus().artifact().metadata()).containsEntry("org.opencontainers.image.revision", r1);
        assertThat(Conditions.isReady(apps.getStatus().conditions(), null)).isTrue();
        ArtifactGenerator g = generator();
        Condition ready = Conditions.find(g.getStatus().conditions(), "Ready").orElseThrow();
        assertThat(ready.status()).isEqualTo("True");
        assertThat(ready.reason()).isEqualTo("Succeeded");
        assertThat(ready.message()).isEqualTo("reconciliation succeeded, generated 2 artifact(s)");
        assertThat(g.getStatus().inventory()).extracting(e -> e.name() + "=" + e.digest()).containsExactly(
                "apps=" + apps.getStatus().artifact().digest(), "infra=" + infra.getStatus().artifact().digest());
        assertThat(g.getStatus().observedSourcesDigest()).startsWith("sha256:");
        List<RenderResult> first = published.list();
        assertThat(first).extracting(RenderResult::object)
                .containsExactlyInAnyOrder("Kustomization/gen/apps", "Kustomization/gen/infra");
        assertThat(first).allSatisfy(r -> {
            assertThat(r.error()).isNull();
            assertThat(r.bundleDigest()).isNotNull();
            assertThat(r.sourceRevision()).startsWith("latest@sha256:");
        });
        published.clear();

        // a commit touching only infra/: apps keeps its revision (its origin revision follows), only infra renders
        write("infra/infra.yaml", configMap("infra", "v2"));
        String r2 = commit();
        await(coordinator.onSourceRevision(revision(r2)));
        ExternalArtifact apps2 = externalArtifact("apps");
        assertThat(apps2.getStatus().artifact().revision()).isEqualTo(apps.getStatus().artifact().revision());
        assertThat(apps2.getStatus().artifact().metadata()).containsEntry("org.opencontainers.image.revision", r2);
        assertThat(externalArtifact("infra").getStatus().artifact().revision())
                .isNotEqualTo(infra.getStatus().artifact().revision());
        assertThat(published.list()).extracting(RenderResult::object).containsExactly("Kustomization/gen/infra");
        published.clear();

        // a commit touching only a file apps excludes: no revision changes, nothing renders
        write("apps/README.md", "apps, documented\n");
        await(coordinator.onSourceRevision(revision(commit())));
        assertThat(externalArtifact("apps").getStatus().artifact().revision()).isEqualTo(apps.getStatus().artifact().revision());
        assertThat(published.list()).isEmpty();
    }

    @Test
    void aSpecChangeRegeneratesAndAnOutputDroppedIsDeleted() throws Exception {
        createGenerator(spec(List.of("*.md")));
        await(coordinator.onSourceRevision(revision(commit())));
        String before = externalArtifact("apps").getStatus().artifact().digest();

        // the README is no longer excluded, and infra is no longer generated
        ArtifactGeneratorSpec changed = new ArtifactGeneratorSpec(null, spec(null).sources(), null,
                List.of(spec(null).artifacts().get(0)));
        updateGenerator(changed);
        await(coordinator.onArtifactGenerator(generator()));

        assertThat(externalArtifact("apps").getStatus().artifact().digest()).isNotEqualTo(before);
        assertThat(client.resources(ExternalArtifact.class).inNamespace(NS).withName("infra").get()).isNull();
        assertThat(stored("infra")).isNull();
        assertThat(generator().getStatus().inventory()).extracting(e -> e.name()).containsExactly("apps");
    }

    @Test
    void copyRulesMatchingNothingFailTheGeneratorWithBuildFailedAndStoreNothing() throws Exception {
        createGenerator(new ArtifactGeneratorSpec(null, spec(null).sources(), null, List.of(new OutputArtifact("apps",
                null, null, List.of(new CopyOperation("@repo/nothing/**", "@artifact/", null, null))))));
        await(coordinator.onSourceRevision(revision(commit())));

        Condition ready = Conditions.find(generator().getStatus().conditions(), "Ready").orElseThrow();
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.reason()).isEqualTo("BuildFailed");
        assertThat(ready.message()).isEqualTo("apps build failed: failed to apply copy operation from '@repo/nothing/**'"
                + " to '@artifact/': no files match pattern 'nothing/**' in source 'repo'");
        assertThat(client.resources(ExternalArtifact.class).inNamespace(NS).withName("apps").get()).isNull();
        assertThat(stored("apps")).isNull();
    }

    @Test
    void anInvalidSpecStallsTheGeneratorNamingTheField() throws Exception {
        createGenerator(new ArtifactGeneratorSpec(null, spec(null).sources(), "@repo/{app}", spec(null).artifacts()));
        await(coordinator.onSourceRevision(revision(commit())));

        List<Condition> conditions = generator().getStatus().conditions();
        assertThat(Conditions.find(conditions, "Stalled").orElseThrow().reason()).isEqualTo("ValidationFailed");
        Condition ready = Conditions.find(conditions, "Ready").orElseThrow();
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.message()).isEqualTo("spec.pathPattern is not supported by Conflux");
    }

    @Test
    void anExternalArtifactDeletedBySomeoneElseIsAppliedAgain() throws Exception {
        createGenerator(spec(null));
        await(coordinator.onSourceRevision(revision(commit())));
        ExternalArtifact apps = externalArtifact("apps");
        published.clear();

        client.resource(apps).delete();
        await(coordinator.onExternalArtifactDeleted(apps));

        ExternalArtifact again = externalArtifact("apps");
        assertThat(again.getStatus().artifact().revision()).isEqualTo(apps.getStatus().artifact().revision());
        assertThat(published.list()).isEmpty();
    }

    @Test
    void aDeletedGeneratorTakesItsExternalArtifacts() throws Exception {
        createGenerator(spec(null));
        await(coordinator.onSourceRevision(revision(commit())));
        assertThat(externalArtifact("apps")).isNotNull();

        ArtifactGenerator g = generator();
        client.resource(g).delete();
        watched.artifactGenerators.clear();
        await(coordinator.onArtifactGeneratorDeleted(g));

        assertThat(client.resources(ExternalArtifact.class).inNamespace(NS).list().getItems()).isEmpty();
        assertThat(stored("apps")).isNull();
        assertThat(TestCoordinators.storedRevision(runner, new ObjectKey(ExternalArtifact.KIND, NS, "apps"))).isEmpty();
    }

    @Test
    void ociRepositoryAndBucketSourcesAreComposedIntoOneExternalArtifact() throws Exception {
        byte[] layer = Tarballs.pack(Map.of("deploy/oci-cm.yaml", configMap("oci-cm", "oci").getBytes(StandardCharsets.UTF_8),
                "deploy/README.md", "left out\n".getBytes(StandardCharsets.UTF_8)));
        try (LocalOciRegistry registry = LocalOciRegistry.start();
             LocalS3Server s3 = LocalS3Server.startProcess("AKIDGENERATOR", "generator-secret")) {
            String digest = registry.pushArtifact("manifests/app", "latest", layer, Map.of());
            String ociUrl = "oci://" + registry.host() + "/manifests/app";
            OCIRepository oci = new OCIRepository();
            oci.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("app").build());
            oci.setSpec(new OCIRepositorySpec(ociUrl, null, null, null, null, null, null, null, null, true, "1m", "10s",
                    null, null));
            client.resource(oci).create();
            s3.createBucket("fleet");
            s3.put("fleet", "apps/bucket-cm.yaml", configMap("bucket-cm", "bucket").getBytes(StandardCharsets.UTF_8));
            client.resource(new SecretBuilder().withNewMetadata().withNamespace(NS).withName("s3-keys").endMetadata()
                    .withStringData(Map.of("accesskey", "AKIDGENERATOR", "secretkey", "generator-secret")).build()).create();
            Bucket bucket = new Bucket();
            bucket.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("fleet").build());
            bucket.setSpec(new BucketSpec(null, "fleet", s3.endpoint(), null, true, null, null,
                    new LocalObjectReference("s3-keys"), null, null, null, "1m", "10s", null, null));
            client.resource(bucket).create();
            String bucketRevision = BucketSources.revision(bucket, name -> Optional.of(Map.of(
                    "accesskey", "AKIDGENERATOR".getBytes(StandardCharsets.UTF_8),
                    "secretkey", "generator-secret".getBytes(StandardCharsets.UTF_8))));
            watched.kustomizations.clear();
            watched.kustomizations.add(kustomization("composed", "./"));
            createGenerator(new ArtifactGeneratorSpec(null, List.of(
                    new ArtifactGeneratorSpec.Source("oci", "app", null, "OCIRepository"),
                    new ArtifactGeneratorSpec.Source("bucket", "fleet", null, "Bucket")), null, List.of(
                    new OutputArtifact("composed", null, "@oci", List.of(
                            new CopyOperation("@oci/deploy/**", "@artifact/", List.of("*.md"), null),
                            new CopyOperation("@bucket/apps/bucket-cm.yaml", "@artifact/bucket/bucket-cm.yaml", null, null))),
                    new OutputArtifact("bucket-only", "@bucket", null, List.of(
                            new CopyOperation("@bucket/apps/**", "@artifact/", null, null))))));

            // the OCIRepository is stored first: the Bucket is not yet, the generator waits for it
            String ociRevision = "latest@" + digest;
            await(coordinator.onSourceRevision(sourceRevision("OCIRepository", "app", ociUrl, ociRevision)));
            Condition waiting = Conditions.find(generator().getStatus().conditions(), "Ready").orElseThrow();
            assertThat(waiting.status()).isEqualTo("False");
            assertThat(waiting.reason()).isEqualTo("SourceFetchFailed");
            assertThat(waiting.message()).contains("Bucket/" + NS + "/fleet");
            assertThat(published.list()).isEmpty();

            await(coordinator.onSourceRevision(sourceRevision("Bucket", "fleet", BucketSources.url(bucket.getSpec()),
                    bucketRevision)));
            assertThat(Conditions.find(generator().getStatus().conditions(), "Ready").orElseThrow().reason())
                    .isEqualTo("Succeeded");
            ExternalArtifact composed = externalArtifact("composed");
            assertThat(composed.getStatus().artifact().revision()).isEqualTo("latest@" + composed.getStatus().artifact().digest());
            assertThat(composed.getStatus().artifact().metadata())
                    .containsEntry("org.opencontainers.image.revision", ociRevision);
            assertThat(externalArtifact("bucket-only").getStatus().artifact().revision()).isEqualTo(bucketRevision);
            // the composed artifact holds the OCI layer's manifest (not its README) and the Bucket's object
            assertThat(published.list()).singleElement().satisfies(r -> {
                assertThat(r.object()).isEqualTo("Kustomization/" + NS + "/composed");
                assertThat(r.error()).isNull();
                assertThat(r.objectCount()).isEqualTo(2);
                assertThat(r.sourceRevision()).isEqualTo(composed.getStatus().artifact().revision());
            });
        }
    }

    private static SourceRevision sourceRevision(String kind, String name, String url, String revision) {
        return new SourceRevision(new ObjectKey(kind, NS, name).toString(), 1L, url, null, revision, Trigger.POLL, null,
                "2026-12-06T19:00:00Z"); // observedAt: the receiver's listing time, the artifact's lastUpdateTime
    }

    /** Outputs {@code apps} (the contents of apps/, origin revision of the repo) and {@code infra} (infra/ as a dir). */
    private static ArtifactGeneratorSpec spec(List<String> appsExclude) {
        return new ArtifactGeneratorSpec(null, List.of(new ArtifactGeneratorSpec.Source("repo", "mono", null, "GitRepository")),
                null, List.of(
                new OutputArtifact("apps", null, "@repo", List.of(new CopyOperation("@repo/apps/**", "@artifact/", appsExclude, null))),
                new OutputArtifact("infra", null, null, List.of(new CopyOperation("@repo/infra/", "@artifact/", null, null)))));
    }

    private void createGenerator(ArtifactGeneratorSpec spec) {
        ArtifactGenerator g = new ArtifactGenerator();
        g.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("split").build());
        g.setSpec(spec);
        client.resource(g).create();
        cacheGenerator();
    }

    private void updateGenerator(ArtifactGeneratorSpec spec) {
        ArtifactGenerator g = generator();
        g.setSpec(spec);
        client.resource(g).update();
        cacheGenerator();
    }

    private void cacheGenerator() {
        watched.artifactGenerators.clear();
        watched.artifactGenerators.add(generator());
    }

    private ArtifactGenerator generator() {
        return client.resources(ArtifactGenerator.class).inNamespace(NS).withName("split").get();
    }

    private ExternalArtifact externalArtifact(String name) {
        ExternalArtifact ea = client.resources(ExternalArtifact.class).inNamespace(NS).withName(name).get();
        assertThat(ea).as("ExternalArtifact " + name).isNotNull();
        return ea;
    }

    private GeneratedArtifact stored(String name) {
        return runner.run(blocking -> Panache.withSession(() -> GeneratedArtifact.of(NS, name))).await().atMost(WAIT);
    }

    private static Kustomization kustomization(String name, String path) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: %s
                  namespace: %s
                  generation: 1
                spec:
                  interval: 5m
                  path: %s
                  prune: true
                  sourceRef:
                    kind: ExternalArtifact
                    name: %s
                """.formatted(name, NS, path, name), Kustomization.class);
    }

    private String configMap(String name, String value) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  value: " + value
                + "\n  test: " + unique + "\n";
    }

    private void write(String path, String content) throws Exception {
        Path p = work.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private String commit() throws Exception {
        return "main@sha1:" + TestRepositories.commit(work, "main");
    }

    private static SourceRevision revision(String revision) {
        return new SourceRevision(new ObjectKey(GitRepository.KIND, NS, "mono").toString(), 1L, URL,
                GitRepositoryRef.branch("main"), revision, Trigger.POLL, null, null);
    }

    private static void await(Uni<Void> uni) {
        uni.await().atMost(WAIT);
    }
}
