package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conflux.helm.testing.LocalChartRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same renders through the reference {@code helm} binary (Helm v4, installed by
 * {@code shared/tools/install-reference-tools.sh}) give the same objects as parsed data. Skipped when the
 * binary is absent.
 */
class ReferenceHelmDifferentialTest {

  static final Path HELM = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin/helm");
  static final Path CHARTS = Path.of("src/test/resources/charts");

  @TempDir
  static Path work;

  @BeforeAll
  static void requireReferenceHelm() {
    assumeTrue(Files.isExecutable(HELM), "reference helm not installed at " + HELM
        + " (bash shared/tools/install-reference-tools.sh)");
  }

  /** {@code helm template} with the values as a file, hooks and tests dropped as for our renderer. */
  static List<Map<String, Object>> referenceTemplate(Path chart, String release, String namespace,
      Map<String, Object> values, String... extraArgs) throws IOException, InterruptedException {
    Path valuesFile = Files.createTempFile(work, "values-", ".json");
    Files.writeString(valuesFile, Yaml.json(values), StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(HELM.toString(), "template", release, chart.toString(),
        "--namespace", namespace, "--values", valuesFile.toString(),
        "--kube-version", ChartRenderer.DEFAULT_KUBE_VERSION, "--include-crds"));
    command.addAll(List.of(extraArgs));
    return parse(run(command));
  }

  static String run(List<String> command) throws IOException, InterruptedException {
    return run(command, work);
  }

  /** Runs the reference helm with its config, cache and data homes under {@code scratch}; returns stdout. */
  static String run(List<String> command, Path scratch) throws IOException, InterruptedException {
    Path home = Files.createDirectories(scratch.resolve("helm-home"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
    pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
    pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
    pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
    Path err = Files.createTempFile(scratch, "helm-", ".err");
    pb.redirectError(err.toFile());
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("helm %s failed: %s", command, Files.readString(err)).isZero();
    return out;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> parse(String manifest) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (Object doc : Yaml.loadAll(manifest)) {
      if (doc instanceof Map<?, ?> map && !map.isEmpty() && !isHook((Map<String, Object>) map)) {
        objects.add((Map<String, Object>) map);
      }
    }
    return objects;
  }

  static boolean isHook(Map<String, Object> object) {
    return object.get("metadata") instanceof Map<?, ?> m && m.get("annotations") instanceof Map<?, ?> a
        && a.containsKey("helm.sh/hook");
  }

  static String id(Map<String, Object> o) {
    Map<?, ?> metadata = (Map<?, ?>) o.get("metadata");
    return o.get("kind") + "/" + metadata.get("namespace") + "/" + metadata.get("name");
  }

  /** Same identities in the same order, and each object equal as data. */
  static void assertSameObjects(List<Map<String, Object>> ours, List<Map<String, Object>> reference) {
    // CRDs from crds/ lead in both; Helm prints them in file order, compare them as a set
    List<Map<String, Object>> ourCrds = crds(ours);
    List<Map<String, Object>> refCrds = crds(reference);
    assertThat(ourCrds).containsExactlyInAnyOrderElementsOf(refCrds);
    List<Map<String, Object>> ourRest = ours.subList(ourCrds.size(), ours.size());
    List<Map<String, Object>> refRest = reference.stream().filter(o -> !refCrds.contains(o)).toList();
    assertThat(ourRest.stream().map(ReferenceHelmDifferentialTest::id).toList())
        .containsExactlyElementsOf(refRest.stream().map(ReferenceHelmDifferentialTest::id).toList());
    for (int i = 0; i < refRest.size(); i++) {
      assertThat(ourRest.get(i)).as(id(refRest.get(i))).isEqualTo(refRest.get(i));
    }
  }

  static List<Map<String, Object>> crds(List<Map<String, Object>> objects) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> o : objects) {
      if (!"CustomResourceDefinition".equals(o.get("kind"))) {
        break;
      }
      out.add(o);
    }
    out.sort(Comparator.comparing(ReferenceHelmDifferentialTest::id));
    return out;
  }

  @Test
  void podinfoStagingRendersLikeHelmTemplate() throws Exception {
    PodinfoRenderTest.StagingRelease release = PodinfoRenderTest.stagingRelease();
    Map<String, Object> values = HelmValues.merge(List.of(), release.values());
    try (LocalChartRepository local = LocalChartRepository.start(ChartRepositoryTest.PODINFO_CHART)) {
      ChartRepository repo = ChartRepository.http(local.url(), Optional.empty(), Duration.ofSeconds(10),
          work.resolve("cache"));
      Path tgz = repo.fetch(repo.resolve(release.chart(), release.version()));

      List<Map<String, Object>> ours = new ChartRenderer().template(tgz, release.releaseName(), release.namespace(),
          values);
      List<Map<String, Object>> reference = referenceTemplate(tgz, release.releaseName(), release.namespace(),
          values);

      assertThat(ours).hasSizeGreaterThanOrEqualTo(6);
      assertSameObjects(ours, reference);
    }
  }

  @Test
  void chartWithCrdsHooksTestsAndSubchartRendersLikeHelmTemplate() throws Exception {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("greeting", "yes");
    values.put("removeMe", null);
    values.put("replicas", 2);
    values.put("zip", "0123");
    values.put("nested", Map.of("override", "on"));
    values.put("sub", Map.of("color", "green"));
    Path chart = CHARTS.resolve("difftest");

    List<Map<String, Object>> ours = new ChartRenderer().template(chart, "diff", "team-a", values);
    List<Map<String, Object>> reference = referenceTemplate(chart, "diff", "team-a", values);

    assertThat(ours.stream().map(ReferenceHelmDifferentialTest::id).toList()).containsExactly(
        "CustomResourceDefinition/null/widgets.example.com",
        "CustomResourceDefinition/null/gadgets.example.com",
        "PodDisruptionBudget/null/diff",
        "ConfigMap/null/diff-sub",
        "ConfigMap/team-a/diff-config",
        "Service/null/diff",
        "Deployment/null/diff");
    Map<?, ?> data = (Map<?, ?>) ours.get(4).get("data");
    assertThat(data.get("greeting")).isEqualTo("yes");
    assertThat(data.get("hasRemoveMe")).isEqualTo("false");
    assertThat(data.get("kubeVersion")).isEqualTo(ChartRenderer.DEFAULT_KUBE_VERSION);
    assertSameObjects(ours, reference);
  }

  @Test
  void disabledSubchartLosesItsObjectsAndCrdsLikeHelmTemplate() throws Exception {
    Map<String, Object> values = Map.of("sub", Map.of("enabled", false));
    Path chart = CHARTS.resolve("difftest");

    List<Map<String, Object>> ours = new ChartRenderer().template(chart, "diff", "team-a", values);
    List<Map<String, Object>> reference = referenceTemplate(chart, "diff", "team-a", values);

    assertThat(ours.stream().map(ReferenceHelmDifferentialTest::id))
        .contains("CustomResourceDefinition/null/widgets.example.com")
        .doesNotContain("CustomResourceDefinition/null/gadgets.example.com", "ConfigMap/null/diff-sub");
    assertSameObjects(ours, reference);
  }

  /** Our port of Helm's --set parser, used for valuesFrom targetPath, against helm's own --set/--set-string. */
  @Test
  void targetPathValuesMatchHelmSet() throws Exception {
    List<String> expressions = List.of(
        "a.b=1",
        "a.c=true",
        "a.d=null",
        "zip=0123",
        "neg=-5",
        "ratio=1.5",
        "list={x,y,z}",
        "items[1].name=second",
        "items[0].name=first",
        "matrix[0][1]=m",
        "annotations.prometheus\\.io/scrape=true",
        "url=https://example.com/a\\,b",
        "empty=",
        "multi=1,other=two",
        "FALSE=FALSE");
    Map<String, Object> ours = new LinkedHashMap<>();
    List<String> args = new ArrayList<>();
    for (String expression : expressions) {
      int eq = expression.indexOf('=');
      HelmValues.setPath(ours, expression.substring(0, eq), expression.substring(eq + 1));
      args.add("--set");
      args.add(expression);
    }
    HelmValues.setPath(ours, "str.num", "'42'");
    HelmValues.setPath(ours, "str.bool", "\"true\"");
    args.addAll(List.of("--set-string", "str.num=42", "--set-string", "str.bool=true"));

    Path chart = CHARTS.resolve("echo");
    Object ourEcho = echoed(new ChartRenderer().template(chart, "echo", "default", ours));
    List<String> command = new ArrayList<>(List.of(HELM.toString(), "template", "echo", chart.toString(),
        "--namespace", "default"));
    command.addAll(args);
    Object referenceEcho = echoed(parse(run(command)));

    assertThat(ourEcho).isEqualTo(referenceEcho);
    assertThat(((Map<?, ?>) ourEcho).get("multi")).isEqualTo(1);
  }

  /** The local repository is a real Helm repository: the reference helm pulls the same archive, with auth. */
  @Test
  void referenceHelmPullsFromTheLocalRepository() throws Exception {
    try (LocalChartRepository secured = LocalChartRepository.builder()
        .chart(ChartRepositoryTest.PODINFO_CHART)
        .basicAuth("flux", "s3cret")
        .start()) {
      Path dest = Files.createDirectories(work.resolve("pulled"));
      run(List.of(HELM.toString(), "pull", "podinfo", "--repo", secured.url(), "--version", ">=6.0.0 <7.0.0",
          "--username", "flux", "--password", "s3cret", "--destination", dest.toString()));
      ChartRepository repo = ChartRepository.http(secured.url(), Optional.of(new Credentials("flux", "s3cret")),
          Duration.ofSeconds(10), work.resolve("pull-cache"));
      Path ours = repo.fetch(repo.resolve("podinfo", ">=6.0.0 <7.0.0"));
      assertThat(Files.readAllBytes(dest.resolve("podinfo-6.14.1.tgz"))).isEqualTo(Files.readAllBytes(ours));
    }
  }

  private static Object echoed(List<Map<String, Object>> objects) {
    assertThat(objects).hasSize(1);
    return Yaml.load((String) ((Map<?, ?>) objects.get(0).get("data")).get("values.json"));
  }
}
