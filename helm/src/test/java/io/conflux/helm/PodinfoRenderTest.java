package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.helm.HelmValues.ValuesReference;
import io.conflux.helm.testing.LocalChartRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * podinfo from a local chart repository, rendered with the HelmRelease of flux2-kustomize-helm-example as
 * its staging overlay patches it.
 */
class PodinfoRenderTest {

  static final Path EXAMPLE = Path.of("../../shared/fixtures/repos/flux2-kustomize-helm-example/apps");

  static LocalChartRepository local;

  @TempDir
  static Path cache;

  static ResolvedChart resolved;
  static Path chart;
  static StagingRelease release;
  static List<Map<String, Object>> objects;

  /** What the staging HelmRelease asks for, read from the fixture files. */
  record StagingRelease(String name, String namespace, String releaseName, String chart, String version,
      Map<String, Object> values) {
  }

  @BeforeAll
  static void render() throws IOException {
    release = stagingRelease();
    local = LocalChartRepository.start(ChartRepositoryTest.PODINFO_CHART);
    ChartRepository repo = ChartRepository.http(local.url(), Optional.empty(), Duration.ofSeconds(10), cache);
    resolved = repo.resolve(release.chart(), release.version());
    chart = repo.fetch(resolved);
    Map<String, Object> values = HelmValues.merge(List.of(), release.values());
    objects = new ChartRenderer().template(chart, ReleaseNames.of(release.name(), null, release.releaseName()),
        release.namespace(), values);
  }

  @AfterAll
  static void stop() {
    local.close();
  }

  /**
   * The base HelmRelease with the staging patch applied: a patch of a custom resource is a JSON merge patch,
   * which for maps is the same deep merge as Flux's values merge.
   */
  @SuppressWarnings("unchecked")
  static StagingRelease stagingRelease() throws IOException {
    Map<String, Object> base = (Map<String, Object>) Yaml.load(Files.readString(
        EXAMPLE.resolve("base/podinfo/release.yaml"), StandardCharsets.UTF_8));
    Map<String, Object> patch = (Map<String, Object>) Yaml.load(Files.readString(
        EXAMPLE.resolve("staging/podinfo-values.yaml"), StandardCharsets.UTF_8));
    Map<String, Object> merged = HelmValues.mergeMaps(base, patch);
    Map<String, Object> metadata = (Map<String, Object>) merged.get("metadata");
    Map<String, Object> spec = (Map<String, Object>) merged.get("spec");
    Map<String, Object> chartSpec = (Map<String, Object>) ((Map<String, Object>) spec.get("chart")).get("spec");
    return new StagingRelease((String) metadata.get("name"), (String) metadata.get("namespace"),
        (String) spec.get("releaseName"), (String) chartSpec.get("chart"), (String) chartSpec.get("version"),
        (Map<String, Object>) spec.get("values"));
  }

  static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).collect(Collectors.toList());
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Object node, Object... path) {
    Object current = node;
    for (Object step : path) {
      current = step instanceof Integer i ? ((List<Object>) current).get(i) : ((Map<String, Object>) current).get(step);
    }
    return (T) current;
  }

  static Object value(Object node, Object... path) {
    return at(node, path);
  }

  @Test
  void theFixtureAsksForWhatTheTestExpects() {
    assertThat(release.version()).isEqualTo(">=1.0.0-alpha");
    assertThat(release.releaseName()).isEqualTo("podinfo");
    assertThat(resolved.version()).isEqualTo("6.14.1");
    assertThat(chart.getFileName().toString()).isEqualTo(resolved.digest() + ".tgz");
  }

  @Test
  void ingressCarriesTheStagingHostAndTheBaseClassName() {
    List<Map<String, Object>> ingresses = ofKind(objects, "Ingress");
    assertThat(ingresses).hasSize(1);
    Map<String, Object> ingress = ingresses.get(0);
    assertThat(at(ingress, "metadata", "name").toString()).isEqualTo("podinfo");
    assertThat(at(ingress, "metadata", "namespace").toString()).isEqualTo("podinfo");
    assertThat(at(ingress, "spec", "ingressClassName").toString()).isEqualTo("nginx");
    assertThat(at(ingress, "spec", "rules", 0, "host").toString()).isEqualTo("podinfo.staging");
    assertThat(at(ingress, "spec", "rules", 0, "http", "paths", 0, "pathType").toString())
        .isEqualTo("ImplementationSpecific");
  }

  @Test
  void redisIsEnabledWithTheBaseImage() {
    List<String> deployments = ofKind(objects, "Deployment").stream()
        .map(d -> at(d, "metadata", "name").toString()).toList();
    assertThat(deployments).containsExactlyInAnyOrder("podinfo", "podinfo-redis");
    Map<String, Object> redis = ofKind(objects, "Deployment").stream()
        .filter(d -> "podinfo-redis".equals(at(d, "metadata", "name"))).findFirst().orElseThrow();
    assertThat(at(redis, "spec", "template", "spec", "containers", 0, "image").toString())
        .isEqualTo("public.ecr.aws/docker/library/redis:7.0.6");
    assertThat(ofKind(objects, "Service").stream().map(s -> at(s, "metadata", "name").toString()))
        .contains("podinfo", "podinfo-redis");
  }

  @Test
  void chartDefaultsAndReleaseMetadataAreRendered() {
    Map<String, Object> podinfo = ofKind(objects, "Deployment").stream()
        .filter(d -> "podinfo".equals(at(d, "metadata", "name"))).findFirst().orElseThrow();
    assertThat(value(podinfo, "spec", "replicas")).isEqualTo(1);
    assertThat(at(podinfo, "metadata", "labels", "app.kubernetes.io/managed-by").toString()).isEqualTo("Helm");
    assertThat(at(podinfo, "metadata", "labels", "helm.sh/chart").toString()).isEqualTo("podinfo-6.14.1");
    assertThat(at(podinfo, "spec", "template", "spec", "containers", 0, "image").toString())
        .isEqualTo("ghcr.io/stefanprodan/podinfo:6.14.1");
  }

  @Test
  void testsAndHooksAreLeftOut() {
    assertThat(objects).noneMatch(o -> o.get("metadata") instanceof Map<?, ?> m
        && m.get("annotations") instanceof Map<?, ?> a && a.containsKey("helm.sh/hook"));
    assertThat(ofKind(objects, "Pod")).isEmpty();
    assertThat(objects).allSatisfy(o -> assertThat(o).containsKeys("apiVersion", "kind", "metadata"));
  }

  @Test
  void valuesChangeTheRender() {
    Map<String, Object> values = HelmValues.merge(List.of(ValuesReference.values(release.values()),
        ValuesReference.atPath("replicaCount", "3"), ValuesReference.atPath("redis.enabled", "false"),
        ValuesReference.atPath("podDisruptionBudget.maxUnavailable", "1")), null);
    List<Map<String, Object>> scaled = new ChartRenderer().template(chart, "staging-podinfo", "apps", values);
    Map<String, Object> podinfo = ofKind(scaled, "Deployment").get(0);
    assertThat(ofKind(scaled, "Deployment")).hasSize(1);
    assertThat(at(podinfo, "metadata", "name").toString()).isEqualTo("staging-podinfo");
    assertThat(at(podinfo, "metadata", "namespace").toString()).isEqualTo("apps");
    assertThat(value(podinfo, "spec", "replicas")).isEqualTo(3);
    // a budget and replicaCount > 1 turn on the chart's PodDisruptionBudget
    assertThat(ofKind(scaled, "PodDisruptionBudget")).singleElement()
        .satisfies(pdb -> assertThat(value(pdb, "spec", "maxUnavailable")).isEqualTo(1));
  }

  @Test
  void aRendererKeepingPreparedChartsRendersWhatAFreshOneRenders() {
    ChartRenderer fresh = new ChartRenderer();
    ChartRenderer keeping = new ChartRenderer(ChartRenderer.DEFAULT_KUBE_VERSION, true, 1);
    Map<String, Object> scaled = Map.of("replicaCount", 2, "redis", Map.of("enabled", true));
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), scaled, Map.<String, Object>of())) {
      ChartRenderer.Release expected = fresh.render(chart, "podinfo", "apps", values);
      ChartRenderer.Release got = keeping.render(chart, "podinfo", "apps", values);
      assertThat(got.crds()).isEqualTo(expected.crds());
      assertThat(got.manifest()).isEqualTo(expected.manifest());
      assertThat(got.chartMetadata()).isEqualTo(expected.chartMetadata());
      assertThat(got.chartValues()).isEqualTo(expected.chartValues());
      // podinfo's test hooks come from the kept rewritten copy; their names end in randAlphaNum 5, new each render
      assertThat(got.hooks()).isNotEmpty().hasSameSizeAs(expected.hooks());
      for (int i = 0; i < got.hooks().size(); i++) {
        Map<String, Object> annotations = at(got.hooks().get(i), "metadata", "annotations");
        assertThat(annotations).isEqualTo(at(expected.hooks().get(i), "metadata", "annotations"));
        assertThat(got.hooks().get(i).get("spec")).isEqualTo(expected.hooks().get(i).get("spec"));
      }
    }
    assertThat(ofKind(keeping.render(chart, "podinfo", "apps", scaled).manifest(), "Deployment"))
        .anySatisfy(d -> assertThat(value(d, "spec", "replicas")).isEqualTo(2));
    assertThatThrownBy(() -> new ChartRenderer(ChartRenderer.DEFAULT_KUBE_VERSION, true, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void renderErrorsNameTheChart() {
    assertThatThrownBy(() -> new ChartRenderer().template(cache.resolve("absent.tgz"), "x", "y", Map.of()))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("absent.tgz");
    assertThatThrownBy(() -> new ChartRenderer("v1.20.0", true).template(chart, "podinfo", "podinfo", Map.of()))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining(chart.toString())
        .hasMessageContaining("kubeVersion");
  }
}
