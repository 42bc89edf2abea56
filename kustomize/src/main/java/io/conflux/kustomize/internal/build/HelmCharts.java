package io.conflux.kustomize.internal.build;

import io.conflux.kustomize.ChartInflator;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.internal.JsonTrees;
import io.conflux.kustomize.internal.resource.Resource;
import io.conflux.kustomize.yaml.KYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code helmCharts} of one kustomization as kustomize's builtin HelmChartInflationGenerator runs them (follows
 * plugin/builtin/helmchartinflationgenerator/HelmChartInflationGenerator.go, api/types/helmchartargs.go and
 * api/internal/target/kusttarget_configplugin.go of kustomize v5.7): the chart is looked up under the chart home
 * ({@code helmGlobals.chartHome}, default {@code charts}, relative to the kustomization), pulled there when missing
 * and a {@code repo} is given, the values file ({@code valuesFile}, default the chart's {@code values.yaml}) is
 * read through the loader (so load restrictions apply) and merged with {@code valuesInline} by
 * {@code valuesMerge}, and the {@link ChartInflator} renders. The legacy {@code helmChartInflationGenerator} list
 * is converted as kustomize's SplitHelmParameters does.
 *
 * <p>Fields kustomize passes to helm that have no meaning here are reported, never ignored in silence:
 * {@code debug} (helm's debug output) and {@code helmGlobals.configHome} (Helm's configuration directory; the Helm
 * library keeps none) are accepted and have no effect, as documented in the README.
 */
final class HelmCharts {
  private static final List<String> MERGE_OPTIONS = List.of("merge", "override", "replace");

  private final Loader loader;
  private final Path kustomizationFile;
  private final ChartInflator inflator;

  HelmCharts(Loader loader, Path kustomizationFile, ChartInflator inflator) {
    this.loader = loader;
    this.kustomizationFile = kustomizationFile;
    this.inflator = inflator;
  }

  /**
   * The charts of the kustomization's fields with their globals: {@code helmCharts} with {@code helmGlobals}, then
   * the legacy {@code helmChartInflationGenerator} entries (whose {@code chartHome}/{@code helmHome} set the globals,
   * the last one winning).
   */
  static List<Map<String, Object>> charts(Kustomization.Fields f, Map<String, Object> globalsOut) {
    if (f.helmGlobals() != null) {
      globalsOut.putAll(f.helmGlobals());
    }
    List<Map<String, Object>> out = new ArrayList<>(f.helmCharts());
    if (f.helmChartInflationGenerator() instanceof List<?> old) {
      for (Object o : old) {
        if (!(o instanceof Map<?, ?> m)) {
          continue;
        }
        Map<String, Object> c = new LinkedHashMap<>();
        copy(m, "chartName", c, "name");
        copy(m, "chartVersion", c, "version");
        copy(m, "chartRepoUrl", c, "repo");
        copy(m, "values", c, "valuesFile");
        copy(m, "valuesLocal", c, "valuesInline");
        copy(m, "valuesMerge", c, "valuesMerge");
        copy(m, "releaseName", c, "releaseName");
        out.add(c);
        if (m.get("helmHome") != null && !String.valueOf(m.get("helmHome")).isEmpty()) {
          globalsOut.put("configHome", m.get("helmHome"));
        }
        if (m.get("chartHome") != null && !String.valueOf(m.get("chartHome")).isEmpty()) {
          globalsOut.put("chartHome", m.get("chartHome"));
        }
      }
    }
    return out;
  }

  private static void copy(Map<?, ?> from, String key, Map<String, Object> to, String as) {
    if (from.get(key) != null) {
      to.put(as, from.get(key));
    }
  }

  /**
   * Inflates one chart.
   *
   * @param chart a {@code helmCharts} entry
   * @param globals the {@code helmGlobals}
   * @return the rendered objects, in helm's output order
   * @throws KustomizeException with kustomize's messages ("chart name cannot be empty", "valuesMerge must be one of
   *     [merge override replace]", "no repo specified for pull, no chart found at '…'") prefixed by the file
   */
  List<Resource> inflate(Map<String, Object> chart, Map<String, Object> globals) {
    String name = str(chart, "name");
    if (name.isEmpty()) {
      throw error("chart name cannot be empty");
    }
    String version = str(chart, "version");
    String repo = str(chart, "repo");
    String valuesMerge = str(chart, "valuesMerge");
    if (valuesMerge.isEmpty()) {
      valuesMerge = "override";
    } else if (!MERGE_OPTIONS.contains(valuesMerge)) {
      throw error("valuesMerge must be one of " + MERGE_OPTIONS.toString().replace(",", ""));
    }
    String chartHome = str(globals, "chartHome");
    if (chartHome.isEmpty()) {
      chartHome = "charts";
    }
    Path home = loader.root().getFileSystem().getPath(chartHome).isAbsolute()
        ? loader.root().getFileSystem().getPath(chartHome) : loader.root().resolve(chartHome);
    if (!version.isEmpty() && !repo.isEmpty()) {
      home = home.resolve(name + "-" + version);
    }
    home = home.normalize();
    String valuesFile = str(chart, "valuesFile");
    if (valuesFile.isEmpty()) {
      valuesFile = home.resolve(name).resolve("values.yaml").toString();
    }
    List<Map<String, Object>> additional = new ArrayList<>();
    for (String f : strings(chart.get("additionalValuesFiles"))) {
      additional.add(valuesDocument(f, "could not load additionalValuesFile: "));
    }
    Path chartDir = home.resolve(name);
    if (!Files.isDirectory(chartDir)) {
      if (repo.isEmpty()) {
        throw error("no repo specified for pull, no chart found at '' (no directory '" + loader.display(chartDir)
            + "')");
      }
      inflator.pull(repo, name, version, Boolean.TRUE.equals(chart.get("devel")), home);
      if (!Files.isDirectory(chartDir)) {
        throw error("pulling chart " + name + " from " + repo + " gave no directory '" + loader.display(chartDir)
            + "'");
      }
    }
    Map<String, Object> values;
    Map<String, Object> inline = JsonTrees.map(chart, "valuesInline");
    if (inline != null && !inline.isEmpty()) {
      if (valuesMerge.equals("replace")) {
        values = inline;
      } else {
        Map<String, Object> fileValues = valuesDocument(valuesFile, "");
        values = valuesMerge.equals("override")
            ? merge(JsonTrees.copyMap(inline), JsonTrees.copyMap(fileValues))
            : merge(JsonTrees.copyMap(fileValues), JsonTrees.copyMap(inline));
      }
    } else {
      values = valuesDocument(valuesFile, "");
    }
    List<Map<String, Object>> layers = new ArrayList<>();
    layers.add(values);
    layers.addAll(additional);
    ChartInflator.Template t = new ChartInflator.Template(chartDir, str(chart, "releaseName"), str(chart, "namespace"),
        str(chart, "nameTemplate"), layers, Boolean.TRUE.equals(chart.get("includeCRDs")),
        Boolean.TRUE.equals(chart.get("skipHooks")), Boolean.TRUE.equals(chart.get("skipTests")),
        strings(chart.get("apiVersions")), str(chart, "kubeVersion"));
    String manifest = inflator.template(t);
    List<Resource> out = new ArrayList<>();
    String what = "helm template of chart " + name + " (" + loader.display(kustomizationFile) + ")";
    for (Map<String, Object> obj : KYaml.parseAll(manifest, what)) {
      // as a resource file (KustTarget.loadResources, kustomize's resource factory): annotations are set again
      // (an empty map goes), a null annotations field is dropped
      Resource r = new Resource(obj);
      if (JsonTrees.get(obj, "metadata", "annotations") instanceof Map<?, ?>) {
        r.setAnnotations(r.annotations());
      } else if (obj.get("metadata") instanceof Map<?, ?> meta && meta.containsKey("annotations")
          && meta.get("annotations") == null) {
        meta.remove("annotations");
      }
      out.add(r);
    }
    return out;
  }

  /** A values file read through the loader: a mapping, or empty for an empty file. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> valuesDocument(String path, String prefix) {
    String text;
    try {
      text = loader.readText(path);
    } catch (KustomizeException e) {
      throw error(prefix + e.getMessage());
    }
    List<Object> docs = KYaml.parseDocuments(text, loader.display(loader.resolve(path)), loader.resolve(path));
    if (docs.isEmpty() || docs.get(0) == null) {
      return new LinkedHashMap<>();
    }
    if (!(docs.get(0) instanceof Map<?, ?>)) {
      throw error("values file '" + loader.display(loader.resolve(path)) + "' must hold a mapping");
    }
    return (Map<String, Object>) docs.get(0);
  }

  /**
   * kyaml's merge2.Merge(src, dest) on values: src's fields win; a null in src clears the field; mappings merge
   * recursively; lists and scalars are replaced.
   *
   * @return dest, changed
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> src, Map<String, Object> dest) {
    for (Map.Entry<String, Object> e : src.entrySet()) {
      Object s = e.getValue();
      Object d = dest.get(e.getKey());
      if (s == null) {
        dest.remove(e.getKey());
      } else if (s instanceof Map<?, ?> sm && d instanceof Map<?, ?> dm) {
        dest.put(e.getKey(), merge((Map<String, Object>) sm, (Map<String, Object>) dm));
      } else {
        dest.put(e.getKey(), s);
      }
    }
    return dest;
  }

  private KustomizeException error(String message) {
    return new KustomizeException(loader.display(kustomizationFile) + ": HelmChartInflationGenerator: " + message,
        kustomizationFile, -1, null);
  }

  private static String str(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    return v == null ? "" : v instanceof String s ? s : JsonTrees.scalarText(v);
  }

  private static List<String> strings(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      for (Object x : l) {
        if (x != null) {
          out.add(x instanceof String s ? s : JsonTrees.scalarText(x));
        }
      }
    }
    return out;
  }
}
