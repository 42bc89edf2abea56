package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitMirror;
import io.conflux.git.GitUrlRewriter;
import io.conflux.git.SourceIgnore;
import io.conflux.artifacts.FetchedArtifact;
import io.conflux.artifacts.OciSources;
import io.conflux.artifacts.SecretLookup;
import io.conflux.helm.testing.HookedChart;
import io.conflux.helm.testing.LocalOciRegistry;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.OCILayerSelector;
import io.conflux.model.source.OCIRepository;
import io.conflux.model.source.OCIRepositoryRef;
import io.conflux.model.source.OCIRepositorySpec;
import io.conflux.model.source.HelmRepositorySpec;
import io.conflux.model.source.Revision;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HelmReleases whose chart is a directory of a real Git repository (the podinfo fixture, chart at
 * {@code charts/podinfo}), read through a {@link GitMirror} as the coordinator reads it; post-renderers and
 * {@code valuesFrom} on the rendered output.
 */
class HelmReleaseRendererTest {
    static final Path FIXTURES = Path.of("../../shared/fixtures/repos");
    static final String URL = "https://github.com/stefanprodan/podinfo";
    static final ObjectKey SOURCE = new ObjectKey("GitRepository", "flux-system", "podinfo");

    final ObjectMapper json = new ObjectMapper();
    final Map<String, Map<String, String>> configMaps = new HashMap<>();
    final Map<String, Map<String, String>> secrets = new HashMap<>();
    final List<ObjectKey> checkedOut = new ArrayList<>();

    @TempDir
    Path tmp;
    Path work;
    String sha;
    GitMirror mirror;

    @BeforeEach
    void podinfoRepository() throws Exception {
        work = Files.createDirectories(tmp.resolve("src/github.com/stefanprodan/podinfo"));
        TestRepositories.copy(FIXTURES.resolve("podinfo"), work);
        sha = TestRepositories.commit(work, "master");
        mirror = new GitMirror(tmp.resolve("mirrors"),
                new GitUrlRewriter(Map.of("https://github.com/", tmp.resolve("src/github.com").toUri().toString())),
                Duration.ofSeconds(20));
    }

    @Test
    void chartFromGitRepositoryRendersAtTheChartYamlVersion() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    version: "9.9.9"
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                values:
                  replicaCount: 3
                """));

        assertThat(rendered.outcome().message()).isNull();
        assertThat(rendered.revision()).isEqualTo("6.14.1");
        assertThat(checkedOut).containsExactly(SOURCE);
        List<Map<String, Object>> objects = objects(rendered);
        Map<String, Object> deployment = find(objects, "Deployment", "podinfo");
        assertThat(at(deployment, "spec", "replicas")).isEqualTo(3);
        assertThat(at(deployment, "metadata", "namespace")).isEqualTo("apps");
        assertThat(labels(deployment)).containsEntry("helm.sh/chart", "podinfo-6.14.1");
    }

    @Test
    void v2beta2ManifestIsReadAndRenderedAsV2() throws Exception {
        // as a repository written for Flux 2.2 has it (helm.toolkit.fluxcd.io/v2beta2, served by deploy/crds)
        String manifest = """
                apiVersion: helm.toolkit.fluxcd.io/%s
                kind: HelmRelease
                metadata: {name: podinfo, namespace: apps}
                spec:
                  interval: 5m
                  releaseName: podinfo
                  chart:
                    spec:
                      chart: ./charts/podinfo
                      interval: 1m
                      sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                  install:
                    remediation:
                      retries: 3
                  upgrade:
                    remediation:
                      retries: 3
                      remediateLastFailure: true
                  values:
                    replicaCount: 2
                """;
        HelmRelease beta = Serialization.unmarshal(manifest.formatted("v2beta2"), HelmRelease.class);
        HelmRelease ga = Serialization.unmarshal(manifest.formatted("v2"), HelmRelease.class);
        assertThat(beta.getSpec()).isEqualTo(ga.getSpec());
        assertThat(beta.getSpec().interval()).isEqualTo("5m");
        assertThat(beta.getSpec().install()).isEqualTo(Map.of("remediation", Map.of("retries", 3)));
        assertThat(beta.getSpec().values()).isEqualTo(Map.of("replicaCount", 2));

        HelmReleaseRenderer.Rendered fromBeta = render(beta);
        HelmReleaseRenderer.Rendered fromGa = render(ga);
        assertThat(fromBeta.outcome().message()).isNull();
        assertThat(at(find(objects(fromBeta), "Deployment", "podinfo"), "spec", "replicas")).isEqualTo(2);
        assertThat(fromBeta.revision()).isEqualTo(fromGa.revision()).isEqualTo("6.14.1");
        assertThat(objects(fromBeta)).isEqualTo(objects(fromGa));
        assertThat(fromBeta.configDigest()).isEqualTo(fromGa.configDigest());
    }

    /**
     * podinfo names its test hook Pods with {@code randAlphaNum}, so each render's text differs; the bundle digest
     * follows the release's inputs (chart version, values, spec), as helm-controller's in-sync test does, so a
     * re-render of an unchanged release is not an upgrade, and a values change is.
     */
    @Test
    void aReRenderOfAnUnchangedReleaseHasTheSameBundleDigestAndAValuesChangeAnother() throws Exception {
        String spec = """
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                test:
                  enable: true
                values:
                  replicaCount: %d
                """;
        HelmReleaseRenderer.Rendered first = render(release(spec.formatted(2)));
        HelmReleaseRenderer.Rendered again = render(release(spec.formatted(2)));
        HelmReleaseRenderer.Rendered changed = render(release(spec.formatted(3)));
        assertThat(first.outcome().bundle().content()).as("the test hooks' random names")
                .isNotEqualTo(again.outcome().bundle().content());
        assertThat(again.outcome().bundle().digest()).isEqualTo(first.outcome().bundle().digest());
        assertThat(changed.outcome().bundle().digest()).isNotEqualTo(first.outcome().bundle().digest());
    }

    @Test
    void revisionStrategyPutsTheCommitInTheChartVersion() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: charts/podinfo
                    reconcileStrategy: Revision
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                """));

        assertThat(rendered.outcome().message()).isNull();
        assertThat(rendered.revision()).isEqualTo("6.14.1+" + sha.substring(0, 12));
        assertThat(labels(find(objects(rendered), "Deployment", "podinfo")))
                .containsEntry("helm.sh/chart", "podinfo-6.14.1_" + sha.substring(0, 12));

        // a commit that leaves Chart.yaml alone is a new revision under this strategy, and the same one without it
        Path values = work.resolve("charts/podinfo/values.yaml");
        Files.writeString(values, Files.readString(values).replace("replicaCount: 1", "replicaCount: 2"));
        String next = TestRepositories.commit(work, "master");
        HelmReleaseRenderer.Rendered again = render(release("""
                chart:
                  spec:
                    chart: charts/podinfo
                    reconcileStrategy: Revision
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                """));
        assertThat(again.revision()).isEqualTo("6.14.1+" + next.substring(0, 12));
        assertThat(at(find(objects(again), "Deployment", "podinfo"), "spec", "replicas")).isEqualTo(2);
        assertThat(render(release("""
                chart:
                  spec:
                    chart: charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                """)).revision()).isEqualTo("6.14.1");
    }

    @Test
    void missingChartPathFailsNamingThePathTheSourceAndTheRevision() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: ./charts/nope
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                """));

        assertThat(rendered.outcome().bundle()).isNull();
        assertThat(rendered.outcome().reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(rendered.outcome().message()).contains("./charts/nope", "GitRepository 'flux-system/podinfo'", sha);
    }

    @Test
    void gitRepositoryWithoutRevisionIsRetried() throws Exception {
        HelmRelease hr = release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                """);
        HelmReleaseRenderer.Rendered rendered = renderer().render(hr,
                new HelmReleaseRenderer.ChartSources((ns, n) -> Optional.empty(), (source, root) -> Optional.empty()),
                (ns, n) -> null, (ns, n) -> null);
        assertThat(rendered.outcome().deterministic()).isFalse();
        assertThat(rendered.outcome().message()).contains("GitRepository 'flux-system/podinfo' has no revision yet");
    }

    @Test
    void bucketAndExternalArtifactChartRefAreRefusedClearly() throws Exception {
        HelmReleaseRenderer.Rendered bucket = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: Bucket, name: charts}
                """));
        assertThat(bucket.outcome().reason()).isEqualTo(FluxReasons.NOT_SUPPORTED);
        assertThat(bucket.outcome().message()).contains("'Bucket' is not supported");
        assertThat(bucket.outcome().deterministic()).isTrue();

        HelmReleaseRenderer.Rendered chartRef = render(release("""
                chartRef: {kind: ExternalArtifact, name: podinfo}
                """));
        assertThat(chartRef.outcome().reason()).isEqualTo(FluxReasons.NOT_SUPPORTED);
        assertThat(chartRef.outcome().message()).contains("spec.chartRef.kind 'ExternalArtifact' is not supported");
        assertThat(checkedOut).isEmpty();
    }

    @Test
    void chartAndChartRefTogetherOrNeitherAreAnInvalidChartReference() throws Exception {
        HelmReleaseRenderer.Rendered both = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                chartRef: {kind: OCIRepository, name: podinfo}
                """));
        assertThat(both.outcome().reason()).isEqualTo(HelmReleaseRenderer.INVALID_CHART_REFERENCE);
        assertThat(both.outcome().message()).contains("either chart or chartRef must be set")
                .contains("remove one of spec.chart and spec.chartRef");
        assertThat(both.outcome().deterministic()).isTrue();
        HelmReleaseRenderer.Rendered neither = render(release("values: {a: 1}\n"));
        assertThat(neither.outcome().reason()).isEqualTo(HelmReleaseRenderer.INVALID_CHART_REFERENCE);
        assertThat(checkedOut).isEmpty();
    }

    @Test
    void chartRefToAnOciRepositoryRendersItsStoredHelmChartLayerWithTheDigestInTheVersion() throws Exception {
        try (LocalOciRegistry registry = LocalOciRegistry.start(FIXTURES.resolve("podinfo/charts/podinfo"))) {
            // the OCIRepository as Flux documents it for a chartRef: the Helm chart layer, copied as it is
            OCIRepository oci = new OCIRepository();
            oci.setMetadata(new ObjectMetaBuilder().withNamespace("apps").withName("podinfo").build());
            oci.setSpec(new OCIRepositorySpec("oci://" + registry.host() + "/charts/podinfo",
                    new OCIRepositoryRef(null, ">=6.0.0", null, null),
                    new OCILayerSelector("application/vnd.cncf.helm.chart.content.v1.tar+gzip", "copy"),
                    null, null, null, null, null, null, true, "1m", "10s", null, null));
            SecretLookup none = name -> Optional.empty();
            FetchedArtifact fetched = OciSources.fetch(oci, OciSources.revision(oci, none), none, 10 << 20);
            assertThat(fetched.tarball()).isEqualTo(registry.archive("podinfo", "6.14.1"));
            String manifestDigest = fetched.revision().substring(fetched.revision().indexOf('@') + 1);
            assertThat(fetched.revision()).isEqualTo("6.14.1@" + manifestDigest);

            ObjectKey key = new ObjectKey("OCIRepository", "apps", "podinfo");
            HelmReleaseRenderer.Rendered rendered = renderer().render(release("""
                            chartRef: {kind: OCIRepository, name: podinfo}
                            values: {replicaCount: 2}
                            """), new HelmReleaseRenderer.ChartSources((ns, n) -> Optional.empty(),
                            (source, root) -> Optional.empty(),
                            k -> key.equals(k) ? Optional.of(new HelmReleaseRenderer.OciArtifact(fetched.revision(),
                                    fetched.tarball())) : Optional.empty(), k -> Optional.empty()),
                    (ns, n) -> null, (ns, n) -> null);

            assertThat(rendered.outcome().message()).isNull();
            String hex = manifestDigest.substring("sha256:".length(), "sha256:".length() + 12);
            assertThat(rendered.revision()).isEqualTo("6.14.1+" + hex);
            Map<String, Object> deployment = find(objects(rendered), "Deployment", "podinfo");
            assertThat(at(deployment, "spec", "replicas")).isEqualTo(2);
            assertThat(labels(deployment)).containsEntry("helm.sh/chart", "podinfo-6.14.1_" + hex);
            ReleaseBundle bundle = ReleaseBundle.parse(json, rendered.outcome().bundle().content());
            assertThat(bundle.release().ociDigest()).isEqualTo(manifestDigest);
            assertThat(bundle.release().chartMetadata()).containsEntry("version", "6.14.1+" + hex);
        }
    }

    @Test
    void chartRefToAnOciRepositoryWithoutArtifactIsSourceNotReadyAndRetried() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chartRef: {kind: OCIRepository, name: podinfo, namespace: flux-system}
                """));
        assertThat(rendered.outcome().reason()).isEqualTo(HelmReleaseRenderer.SOURCE_NOT_READY);
        assertThat(rendered.outcome().message()).isEqualTo("OCIRepository 'flux-system/podinfo' is not ready: no artifact stored yet");
        assertThat(rendered.outcome().deterministic()).isFalse();
    }

    @Test
    void chartRefToAReadyHelmChartRendersItsChartFromItsGitRepository() throws Exception {
        HelmChart ready = helmChart("True");
        HelmReleaseRenderer.Rendered rendered = renderWithHelmChart(ready);
        assertThat(rendered.outcome().message()).isNull();
        assertThat(rendered.revision()).isEqualTo("6.14.1");
        assertThat(checkedOut).containsExactly(SOURCE);
        assertThat(labels(find(objects(rendered), "Deployment", "podinfo"))).containsEntry("helm.sh/chart", "podinfo-6.14.1");

        checkedOut.clear();
        HelmReleaseRenderer.Rendered notReady = renderWithHelmChart(helmChart("False"));
        assertThat(notReady.outcome().reason()).isEqualTo(HelmReleaseRenderer.SOURCE_NOT_READY);
        assertThat(notReady.outcome().message()).isEqualTo("HelmChart 'flux-system/podinfo' is not ready");
        assertThat(checkedOut).isEmpty();
    }

    private HelmReleaseRenderer.Rendered renderWithHelmChart(HelmChart chart) throws Exception {
        String head;
        try (Git git = Git.open(work.toFile())) {
            head = git.getRepository().resolve("HEAD").name();
        }
        Revision revision = new Revision("master", head);
        HelmReleaseRenderer.GitSource git = (source, root) -> {
            checkedOut.add(source);
            mirror.checkout(source, URL, revision, root);
            return Optional.of(revision);
        };
        ObjectKey key = new ObjectKey("HelmChart", "flux-system", "podinfo");
        return renderer().render(release("""
                        chartRef: {kind: HelmChart, name: podinfo, namespace: flux-system}
                        """), new HelmReleaseRenderer.ChartSources((ns, n) -> Optional.empty(), git, k -> Optional.empty(),
                        k -> key.equals(k) ? Optional.of(chart) : Optional.empty()),
                (ns, n) -> null, (ns, n) -> null);
    }

    private static HelmChart helmChart(String ready) {
        return Serialization.unmarshal("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: HelmChart
                metadata: {name: podinfo, namespace: flux-system, generation: 1}
                spec:
                  chart: ./charts/podinfo
                  sourceRef: {kind: GitRepository, name: podinfo}
                  interval: 1m
                status:
                  conditions:
                  - {type: Ready, status: "%s", reason: ChartPackageSucceeded, message: packaged}
                  artifact: {revision: 6.14.1, digest: "sha256:00", lastUpdateTime: "2026-12-07T00:00:00Z", url: x, path: y}
                """.formatted(ready), HelmChart.class);
    }

    @Test
    void postRenderersPatchTheRenderedManifestInOrder() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                postRenderers:
                  - kustomize:
                      patches:
                        - patch: |
                            apiVersion: apps/v1
                            kind: Deployment
                            metadata:
                              name: podinfo
                              namespace: apps
                              annotations:
                                patched-by: strategic-merge
                            spec:
                              template:
                                spec:
                                  nodeSelector:
                                    edge: "true"
                        - target: {kind: Service, name: podinfo}
                          patch: |
                            - op: replace
                              path: /spec/type
                              value: NodePort
                      images:
                        - name: ghcr.io/stefanprodan/podinfo
                          newName: registry.local/podinfo
                          newTag: 6.14.2
                  - kustomize:
                      patchesStrategicMerge:
                        - apiVersion: v1
                          kind: Service
                          metadata: {name: podinfo, namespace: apps, labels: {tier: edge}}
                      patchesJson6902:
                        - target: {version: v1, kind: Service, name: podinfo}
                          patch:
                            - {op: add, path: /spec/externalTrafficPolicy, value: Local}
                """));

        assertThat(rendered.outcome().message()).isNull();
        List<Map<String, Object>> objects = objects(rendered);
        Map<String, Object> deployment = find(objects, "Deployment", "podinfo");
        assertThat(at(deployment, "metadata", "annotations")).isEqualTo(Map.of("patched-by", "strategic-merge"));
        assertThat(at(deployment, "spec", "template", "spec", "nodeSelector")).isEqualTo(Map.of("edge", "true"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers = (List<Map<String, Object>>) at(deployment, "spec", "template", "spec", "containers");
        assertThat(containers.get(0).get("image")).isEqualTo("registry.local/podinfo:6.14.2");
        Map<String, Object> service = find(objects, "Service", "podinfo");
        assertThat(at(service, "spec", "type")).isEqualTo("NodePort");
        assertThat(at(service, "spec", "externalTrafficPolicy")).isEqualTo("Local");
        assertThat(labels(service)).containsEntry("tier", "edge");
        assertThat(objects).extracting(o -> o.get("kind")).containsExactly("Service", "Deployment");
    }

    @Test
    void postRendererThatDoesNotApplyFailsTheBuild() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                postRenderers:
                  - kustomize:
                      patches:
                        - target: {kind: Service}
                          patch: |
                            - op: remove
                              path: /spec/doesNotExist
                """));

        assertThat(rendered.outcome().bundle()).isNull();
        assertThat(rendered.outcome().reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(rendered.outcome().message()).contains("post-render", "postRenderers[0]");
        assertThat(rendered.revision()).isEqualTo("6.14.1");
    }

    @Test
    void valuesFromWithTargetPathAndOptionalReferences() throws Exception {
        configMaps.put("apps/podinfo-values", Map.of("values.yaml", "replicaCount: 2\nui: {message: from-configmap}\n"));
        secrets.put("apps/podinfo-color", Map.of("color", "\"#ff0000\""));
        configMaps.put("apps/podinfo-replicas", Map.of("count", "4"));
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                valuesFrom:
                  - {kind: ConfigMap, name: podinfo-values}
                  - {kind: Secret, name: podinfo-color, valuesKey: color, targetPath: ui.color}
                  - {kind: ConfigMap, name: podinfo-replicas, valuesKey: count, targetPath: replicaCount}
                  - {kind: Secret, name: absent, optional: true}
                  - {kind: ConfigMap, name: podinfo-values, valuesKey: absent.yaml, optional: true}
                values:
                  ui: {logo: inline}
                """));

        assertThat(rendered.outcome().message()).isNull();
        Map<String, Object> deployment = find(objects(rendered), "Deployment", "podinfo");
        assertThat(at(deployment, "spec", "replicas")).isEqualTo(4);
        assertThat(String.valueOf(at(deployment, "spec", "template", "spec", "containers")))
                .contains("PODINFO_UI_COLOR, value=#ff0000", "PODINFO_UI_MESSAGE, value=from-configmap",
                        "PODINFO_UI_LOGO, value=inline");

        HelmReleaseRenderer.Rendered missing = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                valuesFrom:
                  - {kind: Secret, name: absent, targetPath: ui.color}
                """));
        assertThat(missing.outcome().bundle()).isNull();
        assertThat(missing.configDigest()).isNull();
        assertThat(missing.outcome().message()).contains("Secret 'apps/absent'");
        assertThat(missing.outcome().deterministic()).isFalse();
    }

    @Test
    void configDigestFollowsTheMergedValuesNotTheirSources() throws Exception {
        String spec = """
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                valuesFrom:
                  - {kind: ConfigMap, name: podinfo-values}
                """;
        configMaps.put("apps/podinfo-values", Map.of("values.yaml", "ui: {message: one, color: red}\n"));
        String first = render(release(spec)).configDigest();
        configMaps.put("apps/podinfo-values", Map.of("values.yaml", "ui:\n  color: red\n  message: one\n"));
        String reordered = render(release(spec)).configDigest();
        configMaps.put("apps/podinfo-values", Map.of("values.yaml", "ui: {message: two, color: red}\n"));
        String changed = render(release(spec)).configDigest();

        assertThat(first).startsWith("sha256:").hasSize(71).isEqualTo(reordered);
        assertThat(changed).isNotEqualTo(first);
    }

    @Test
    void hooksAreKeptApartFromTheObjectsWithTheChartAndValuesOfTheReleaseRecord() throws Exception {
        try (LocalChartRepository repo = LocalChartRepository.start(HookedChart.write(tmp.resolve("hooked"), "1.2.0"))) {
            HelmRelease hr = release("""
                    chart:
                      spec:
                        chart: hooked
                        sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}
                    values:
                      message: bonjour
                    """);
            HelmReleaseRenderer.Rendered rendered = renderFrom(repo, hr);
            assertThat(rendered.outcome().message()).isNull();
            ReleaseBundle bundle = ReleaseBundle.parse(json, rendered.outcome().bundle().content());

            // the chart's crds/ first, then the release manifest
            assertThat(bundle.objects()).extracting(o -> o.get("kind") + "/" + at(o, "metadata", "name"))
                    .containsExactly("CustomResourceDefinition/gizmos.example.com", "ConfigMap/podinfo-settings");
            assertThat(rendered.outcome().bundle().objectCount()).isEqualTo(2);
            assertThat(bundle.hooks()).extracting(o -> o.get("kind") + "/" + at(o, "metadata", "name"))
                    .containsExactlyInAnyOrder("Job/podinfo-migrate", "Job/podinfo-notify", "Pod/podinfo-test-connection");
            Map<String, Object> migrate = find(bundle.hooks(), "Job", "podinfo-migrate");
            assertThat(at(migrate, "metadata", "annotations", "helm.sh/hook")).isEqualTo("pre-install,pre-upgrade");
            assertThat(at(migrate, "metadata", "namespace")).isEqualTo("apps");
            assertThat(bundle.release().chartMetadata()).containsEntry("name", "hooked").containsEntry("version", "1.2.0")
                    .containsEntry("appVersion", "2.0");
            assertThat(bundle.release().chartValues()).containsEntry("message", "hello");
            assertThat(bundle.release().config()).isEqualTo(Map.of("message", "bonjour"));
            assertThat(bundle.release().valuesFromSecrets()).isEmpty();
        }
    }

    @Test
    void podinfosTestHooksAreKeptForTheApplierToRun() throws Exception {
        HelmReleaseRenderer.Rendered rendered = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                test: {enable: true}
                """));
        assertThat(rendered.outcome().message()).isNull();
        ReleaseBundle bundle = ReleaseBundle.parse(json, rendered.outcome().bundle().content());
        // templates/tests: grpc, jwt and service are on by default (Helm 2's test-success, which Helm 3+ runs as test)
        assertThat(bundle.hooks()).hasSize(3).allSatisfy(hook -> {
            assertThat(hook.get("kind")).isEqualTo("Pod");
            assertThat(at(hook, "metadata", "annotations", "helm.sh/hook")).isEqualTo("test-success");
            assertThat(at(hook, "metadata", "annotations", "helm.sh/hook-delete-policy"))
                    .isEqualTo("before-hook-creation,hook-succeeded");
            assertThat(at(hook, "metadata", "namespace")).isEqualTo("apps");
        });
        assertThat(bundle.hooks()).extracting(h -> String.valueOf(at(h, "metadata", "name")))
                .anySatisfy(n -> assertThat(n).startsWith("podinfo-grpc-test"))
                .anySatisfy(n -> assertThat(n).startsWith("podinfo-jwt-test"))
                .anySatisfy(n -> assertThat(n).startsWith("podinfo-service-test"));
        assertThat(bundle.objects()).noneMatch(o -> at(o, "metadata", "annotations", "helm.sh/hook") != null);
    }

    @Test
    void aBundleOfTheEarlierArrayShapeStillReads() {
        ReleaseBundle old = ReleaseBundle.parse(json, "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}]");
        assertThat(old.objects()).hasSize(1);
        assertThat(old.hooks()).isEmpty();
        assertThat(old.release()).isNull();
    }

    @Test
    void valuesFilesOfAHelmRepositoryChartReplaceItsDefaults() throws Exception {
        try (LocalChartRepository repo = LocalChartRepository.start(valuesChart())) {
            // listed in order, the last one wins
            Map<String, Object> both = renderedValues(renderFrom(repo, release(repositoryChart("""
                    valuesFiles: [values.yaml, values-prod.yaml]
                    """, ""))));
            assertThat(both).containsEntry("replicaCount", 3).containsEntry("onlyDefault", "kept")
                    .containsEntry("ui", Map.of("color", "red", "logo", "default"));

            // values.yaml only counts when listed
            Map<String, Object> prodOnly = renderedValues(renderFrom(repo, release(repositoryChart("""
                    valuesFiles: [values-prod.yaml]
                    """, ""))));
            assertThat(prodOnly).containsEntry("replicaCount", 3).doesNotContainKey("onlyDefault")
                    .containsEntry("ui", Map.of("color", "red"));

            // spec.values still goes on top
            HelmReleaseRenderer.Rendered withValues = renderFrom(repo, release(repositoryChart("""
                    valuesFiles: [values.yaml, values-prod.yaml]
                    """, """
                    values:
                      replicaCount: 5
                      ui: {logo: inline}
                    """)));
            assertThat(withValues.revision()).isEqualTo("1.0.0");
            assertThat(renderedValues(withValues)).containsEntry("replicaCount", 5).containsEntry("onlyDefault", "kept")
                    .containsEntry("ui", Map.of("color", "red", "logo", "inline"));

            // v2beta1's deprecated valuesFile is merged before valuesFiles, as source-controller does
            Map<String, Object> deprecated = renderedValues(renderFrom(repo, release(repositoryChart("""
                    valuesFile: values-prod.yaml
                    valuesFiles: [values.yaml]
                    """, ""))));
            assertThat(deprecated).containsEntry("replicaCount", 1).containsEntry("ui", Map.of("color", "blue", "logo", "default"));

            // without valuesFiles the chart keeps its values.yaml
            assertThat(renderedValues(renderFrom(repo, release(repositoryChart("", ""))))).containsEntry("replicaCount", 1);
        }
    }

    @Test
    void missingValuesFileFailsNamingItUnlessIgnored() throws Exception {
        try (LocalChartRepository repo = LocalChartRepository.start(valuesChart())) {
            HelmReleaseRenderer.Rendered missing = renderFrom(repo, release(repositoryChart("""
                    valuesFiles: [values.yaml, values-qa.yaml]
                    """, "")));
            assertThat(missing.outcome().bundle()).isNull();
            assertThat(missing.outcome().reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
            assertThat(missing.outcome().message()).contains("no values file found at path 'values-qa.yaml'",
                    "chart 'app' version 1.0.0", "HelmRepository 'flux-system/charts'");

            Map<String, Object> ignored = renderedValues(renderFrom(repo, release(repositoryChart("""
                    valuesFiles: [values-qa.yaml, values-prod.yaml]
                    ignoreMissingValuesFiles: true
                    """, ""))));
            assertThat(ignored).containsEntry("replicaCount", 3).doesNotContainKey("onlyDefault");
        }
    }

    @Test
    void valuesFilesOfAGitChartAreFromTheRepositoryRoot() throws Exception {
        Path prod = work.resolve("charts/podinfo/values-prod.yaml");
        Files.writeString(prod, "replicaCount: 3\n");
        TestRepositories.commit(work, "master");
        String both = """
                chart:
                  spec:
                    chart: ./charts/podinfo
                    reconcileStrategy: Revision
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                    valuesFiles:
                      - ./charts/podinfo/values.yaml
                      - ./charts/podinfo/values-prod.yaml
                """;
        HelmReleaseRenderer.Rendered first = render(release(both));
        Map<String, Object> deployment = find(objects(first), "Deployment", "podinfo");
        assertThat(at(deployment, "spec", "replicas")).isEqualTo(3);
        assertThat(String.valueOf(at(deployment, "spec", "template", "spec", "containers"))).contains("ghcr.io/stefanprodan/podinfo");

        // an edited values file is a new commit, so a new revision under reconcileStrategy: Revision
        Files.writeString(prod, "replicaCount: 4\n");
        String next = TestRepositories.commit(work, "master");
        HelmReleaseRenderer.Rendered second = render(release(both));
        assertThat(second.revision()).isEqualTo("6.14.1+" + next.substring(0, 12)).isNotEqualTo(first.revision());
        assertThat(at(find(objects(second), "Deployment", "podinfo"), "spec", "replicas")).isEqualTo(4);
        assertThat(second.outcome().bundle().digest()).isNotEqualTo(first.outcome().bundle().digest());

        // paths are from the repository root, not from the chart: there is no values-prod.yaml at the root
        HelmReleaseRenderer.Rendered rootRelative = render(release("""
                chart:
                  spec:
                    chart: ./charts/podinfo
                    sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}
                    valuesFiles: [values-prod.yaml]
                """));
        assertThat(rootRelative.outcome().bundle()).isNull();
        assertThat(rootRelative.outcome().message()).contains("no values file found at path 'values-prod.yaml'",
                "GitRepository 'flux-system/podinfo'");
    }

    /**
     * A chart downloaded for one HelmRepository (with credentials) is not served to another whose own index claims the
     * same digest: each HelmRepository has its own cache, so tenant B's download goes to B's server, which lacks it.
     */
    @Test
    void aChartCachedForOneHelmRepositoryIsNotServedToAnotherNamingItsDigest() throws Exception {
        try (LocalChartRepository privateRepo = LocalChartRepository.builder().chart(valuesChart())
                .basicAuth("team-a", "s3cret").start()) {
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(privateRepo.archive("app", "1.0.0")));
            secrets.put("team-a/charts-auth", Map.of("username", "team-a", "password", "s3cret"));
            HelmReleaseRenderer renderer = renderer();
            HelmReleaseRenderer.Rendered a = renderFrom(renderer, "team-a", privateRepo.url(), "charts-auth");
            assertThat(a.outcome().bundle()).as(a.outcome().message()).isNotNull();

            try (LocalChartRepository claims = LocalChartRepository.builder().index("""
                    apiVersion: v1
                    entries:
                      app:
                      - {version: 1.0.0, urls: [app-1.0.0.tgz], digest: "%s"}
                    """.formatted(digest)).start()) {
                HelmReleaseRenderer.Rendered b = renderFrom(renderer, "team-b", claims.url(), null);
                assertThat(b.outcome().bundle()).isNull();
                assertThat(b.outcome().message()).contains(claims.url() + "/app-1.0.0.tgz", "HTTP 404");
                assertThat(claims.requestCount("app-1.0.0.tgz")).isEqualTo(1);
            }
        }
    }

    /** Renders HelmRelease {@code <namespace>/app} from HelmRepository {@code <namespace>/charts} at {@code url}. */
    private HelmReleaseRenderer.Rendered renderFrom(HelmReleaseRenderer renderer, String namespace, String url,
                                                    String secret) {
        HelmRepository repository = new HelmRepository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("charts").build());
        repository.setSpec(new HelmRepositorySpec(url, null, "1h",
                secret == null ? null : new LocalObjectReference(secret), null, null));
        HelmRelease hr = Serialization.unmarshal("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: app, namespace: %s}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: app
                      version: "1.x"
                      sourceRef: {kind: HelmRepository, name: charts}
                """.formatted(namespace), HelmRelease.class);
        return renderer.render(hr, new HelmReleaseRenderer.ChartSources(
                        (ns, n) -> namespace.equals(ns) && "charts".equals(n) ? Optional.of(repository) : Optional.empty(),
                        (source, root) -> Optional.empty()),
                (ns, n) -> secrets.get(ns + "/" + n), (ns, n) -> configMaps.get(ns + "/" + n));
    }

    /** A chart whose only object is a ConfigMap holding its values as JSON, with values.yaml and values-prod.yaml. */
    private Path valuesChart() throws IOException {
        Path chart = Files.createDirectories(tmp.resolve("values-chart/app/templates"));
        Files.writeString(chart.resolve("cm.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: values}
                data:
                  values.json: {{ toJson .Values | quote }}
                """);
        chart = chart.getParent();
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: app\nversion: 1.0.0\n");
        Files.writeString(chart.resolve("values.yaml"), "replicaCount: 1\nonlyDefault: kept\nui: {color: blue, logo: default}\n");
        Files.writeString(chart.resolve("values-prod.yaml"), "replicaCount: 3\nui: {color: red}\n");
        return chart;
    }

    private static String repositoryChart(String chartSpecExtra, String specExtra) {
        return """
                chart:
                  spec:
                    chart: app
                    version: "1.x"
                    sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}
                """ + chartSpecExtra.indent(4) + specExtra;
    }

    private HelmReleaseRenderer.Rendered renderFrom(LocalChartRepository repo, HelmRelease hr) {
        HelmRepository repository = new HelmRepository();
        repository.setMetadata(new ObjectMetaBuilder().withNamespace("flux-system").withName("charts").build());
        repository.setSpec(new HelmRepositorySpec(repo.url(), null, "1h", null, null, null));
        return renderer().render(hr, new HelmReleaseRenderer.ChartSources(
                        (ns, n) -> "flux-system".equals(ns) && "charts".equals(n) ? Optional.of(repository) : Optional.empty(),
                        (source, root) -> Optional.empty()),
                (ns, n) -> secrets.get(ns + "/" + n), (ns, n) -> configMaps.get(ns + "/" + n));
    }

    private Map<String, Object> renderedValues(HelmReleaseRenderer.Rendered rendered) throws IOException {
        Object text = at(find(objects(rendered), "ConfigMap", "values"), "data", "values.json");
        return json.readValue(String.valueOf(text), new TypeReference<>() { });
    }

    private HelmReleaseRenderer renderer() {
        return new HelmReleaseRenderer(tmp.resolve("charts"), Duration.ofSeconds(10), json, 32); // as application.properties
    }

    /** Renders with the podinfo repository as GitRepository flux-system/podinfo at its HEAD, read as the coordinator does. */
    private HelmReleaseRenderer.Rendered render(HelmRelease hr) throws Exception {
        String head;
        try (Git git = Git.open(work.toFile())) {
            head = git.getRepository().resolve("HEAD").name();
        }
        Revision revision = new Revision("master", head);
        HelmReleaseRenderer.GitSource git = (source, root) -> {
            checkedOut.add(source);
            if (!SOURCE.equals(source)) {
                return Optional.empty();
            }
            mirror.checkout(source, URL, revision, root);
            SourceIgnore.load(root, null).prune(root);
            return Optional.of(revision);
        };
        return renderer().render(hr, new HelmReleaseRenderer.ChartSources((ns, n) -> Optional.empty(), git),
                (ns, n) -> secrets.get(ns + "/" + n), (ns, n) -> configMaps.get(ns + "/" + n));
    }

    private static HelmRelease release(String spec) {
        String yaml = """
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: apps}
                spec:
                  interval: 10m
                """ + spec.indent(2);
        return Serialization.unmarshal(yaml, HelmRelease.class);
    }

    private List<Map<String, Object>> objects(HelmReleaseRenderer.Rendered rendered) throws IOException {
        assertThat(rendered.outcome().bundle()).as(rendered.outcome().message()).isNotNull();
        return ReleaseBundle.parse(json, rendered.outcome().bundle().content()).objects();
    }

    private static Object at(Map<String, Object> object, String... path) {
        Object current = object;
        for (String p : path) {
            current = current instanceof Map<?, ?> m ? m.get(p) : null;
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> labels(Map<String, Object> object) {
        return (Map<String, Object>) at(object, "metadata", "labels");
    }

    private static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError(kind + "/" + name + " not rendered"));
    }
}
