package io.conflux.helm;

import io.conflux.kustomize.ChartInflator;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.yaml.KYaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * kustomize's {@code helmCharts} rendered with the embedded Helm library ({@link ChartRenderer}, helm-java; no
 * {@code helm} binary runs): what {@code kustomize build --enable-helm} gets from {@code helm pull} and
 * {@code helm template} (follows plugin/builtin/helmchartinflationgenerator of kustomize v5.7 and Helm's
 * {@code template} command). Used by {@code conflux kustomize build --enable-helm} and the conformance runner, never
 * by the renderer (Flux's kustomize-controller does not enable Helm in kustomize builds).
 *
 * <ul>
 *   <li>Output: the chart's CRDs ({@code includeCRDs}), the release manifest, then the hooks (left out with
 *       {@code skipHooks}; test hooks left out with {@code skipTests}), as {@code helm template} prints them.</li>
 *   <li>Values: the {@code -f} documents deep-merged in order (Helm's {@code MergeValues}), coalesced over the
 *       chart's {@code values.yaml} by the renderer.</li>
 *   <li>{@code apiVersions} are added to Helm's default API versions (read once from the embedded Helm by rendering
 *       {@code .Capabilities.APIVersions}); {@code kubeVersion} empty: {@link ChartRenderer#DEFAULT_KUBE_VERSION}.</li>
 *   <li>Release name: {@code releaseName}; else a literal {@code nameTemplate} ({@code {{…}}} templates are refused);
 *       else {@code <chart>-<unix seconds>}, as {@code --generate-name}. Namespace empty: {@code default}.</li>
 *   <li>Pull: {@code http(s)://} repositories through their {@code index.yaml}, {@code oci://} registries by tag
 *       ({@link ChartRepository}), unpacked to {@code <untarDir>/<name>}.</li>
 * </ul>
 * Errors are {@link KustomizeException}s naming the chart. Thread-safe.
 */
public final class KustomizeChartInflator implements ChartInflator {
  private final Path cacheDir;
  private final Duration timeout;
  private volatile Set<String> defaultApiVersions;

  /**
   * @param cacheDir where pulled chart archives are kept (created when missing)
   * @param timeout the limit for each repository request
   */
  public KustomizeChartInflator(Path cacheDir, Duration timeout) {
    this.cacheDir = cacheDir;
    this.timeout = timeout;
  }

  @Override
  public void pull(String repo, String name, String version, boolean devel, Path untarDir) {
    String what = "chart " + name + (version.isEmpty() ? "" : " version " + version) + " from " + repo;
    try {
      ChartRepository r = repo.regionMatches(true, 0, "oci://", 0, 6)
          ? ChartRepository.oci(repo.replaceFirst("/+$", ""), Optional.empty(), timeout, cacheDir, false)
          : ChartRepository.http(repo, Optional.empty(), timeout, cacheDir);
      String range = version.isEmpty() && devel ? ">=0.0.0-0" : version;
      Path archive = r.fetch(r.resolve(name, range));
      Path target = untarDir.resolve(name).normalize();
      Files.createDirectories(target);
      try (InputStream in = Files.newInputStream(archive)) {
        ChartArchive.eachFile(in, (full, relative, stream) -> {
          Path file = target.resolve(relative).normalize();
          if (!file.startsWith(target)) {
            throw new IOException("archive entry '" + full + "' leads out of the chart directory");
          }
          Files.createDirectories(file.getParent());
          Files.copy(stream, file, StandardCopyOption.REPLACE_EXISTING);
        });
      }
    } catch (HelmException | IOException e) {
      throw new KustomizeException("could not pull " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String template(Template t) {
    String chartName = t.chartDir().getFileName() == null ? "chart" : t.chartDir().getFileName().toString();
    String releaseName = t.releaseName();
    if (releaseName.isEmpty() && !t.nameTemplate().isEmpty()) {
      if (t.nameTemplate().contains("{{")) {
        throw new KustomizeException("chart " + chartName + ": nameTemplate with a template ('" + t.nameTemplate()
            + "') is not supported: the embedded Helm takes only a literal release name");
      }
      releaseName = t.nameTemplate();
    }
    if (releaseName.isEmpty()) {
      releaseName = chartName + "-" + System.currentTimeMillis() / 1000;
    }
    String namespace = t.namespace().isEmpty() ? "default" : t.namespace();
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map<String, Object> layer : t.valuesFiles()) {
      values = HelmValues.mergeMaps(values, layer);
    }
    Set<String> apiVersions = null;
    if (!t.apiVersions().isEmpty()) {
      apiVersions = new LinkedHashSet<>(defaultApiVersions());
      apiVersions.addAll(t.apiVersions());
    }
    String kubeVersion = t.kubeVersion().isEmpty() ? null : t.kubeVersion();
    try {
      ChartRenderer.Release release = new ChartRenderer(ChartRenderer.DEFAULT_KUBE_VERSION, t.includeCrds())
          .render(t.chartDir(), releaseName, namespace, values, new Capabilities(kubeVersion, apiVersions));
      List<Map<String, Object>> out = new ArrayList<>(release.crds());
      out.addAll(release.manifest());
      if (!t.skipHooks()) {
        for (Map<String, Object> hook : release.hooks()) {
          if (!(t.skipTests() && isTestHook(hook))) {
            out.add(hook);
          }
        }
      }
      return KYaml.dumpAll(out);
    } catch (HelmException e) {
      throw new KustomizeException("helm template of chart " + chartName + ": " + e.getMessage(), e);
    }
  }

  /** Helm's {@code isTestHook}: a {@code helm.sh/hook} annotation listing {@code test} (or the old test-success). */
  private static boolean isTestHook(Map<String, Object> object) {
    Object meta = object.get("metadata");
    Object annotations = meta instanceof Map<?, ?> m ? m.get("annotations") : null;
    Object hook = annotations instanceof Map<?, ?> a ? a.get("helm.sh/hook") : null;
    if (!(hook instanceof String s)) {
      return false;
    }
    for (String h : s.split(",")) {
      String x = h.strip();
      if (x.equals("test") || x.equals("test-success")) {
        return true;
      }
    }
    return false;
  }

  /** Helm's default API versions, as the embedded Helm lists them in {@code .Capabilities.APIVersions}. */
  private Set<String> defaultApiVersions() {
    Set<String> known = defaultApiVersions;
    if (known != null) {
      return known;
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("conflux-helm-apiversions-");
      Files.writeString(dir.resolve("Chart.yaml"), "apiVersion: v2\nname: apiversions\nversion: 0.1.0\n");
      Files.createDirectories(dir.resolve("templates"));
      Files.writeString(dir.resolve("templates/list.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
          + "  name: apiversions\ndata:\n  list: {{ join \",\" .Capabilities.APIVersions | quote }}\n");
      List<Map<String, Object>> objects = new ChartRenderer().template(dir, "apiversions", "default", Map.of());
      Object data = objects.get(0).get("data");
      String list = data instanceof Map<?, ?> d && d.get("list") instanceof String s ? s : "";
      known = Set.copyOf(List.of(list.split(",")));
      defaultApiVersions = known;
      return known;
    } catch (IOException | RuntimeException e) {
      throw new KustomizeException("could not read Helm's default API versions: " + e.getMessage(), e);
    } finally {
      if (dir != null) {
        DeferredHooks.delete(dir);
      }
    }
  }
}
