package io.conflux.helm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The few files of a chart (a directory or a {@code .tgz}) needed to list what Helm's
 * {@code Chart.CRDObjects()} returns after dependency processing: {@code crds/*.yaml|yml|json} of the chart
 * and of each enabled subchart under {@code charts/} (directories and archives), recursively.
 *
 * <p>Subcharts are enabled as Helm's {@code chartutil.ProcessDependencies} decides: {@code tags} first, then
 * the first {@code condition} path that holds a boolean, read from the chart's values coalesced with the
 * user's (subchart defaults included under the subchart's name or alias).
 */
final class ChartFiles {

  private final Map<String, byte[]> files;

  private ChartFiles(Map<String, byte[]> files) {
    this.files = files;
  }

  private static boolean wanted(String rel) {
    return rel.equals("Chart.yaml") || rel.equals("values.yaml") || rel.startsWith("crds/")
        || rel.startsWith("charts/");
  }

  static ChartFiles read(Path chart) throws IOException {
    if (Files.isDirectory(chart)) {
      Map<String, byte[]> files = new TreeMap<>();
      try (Stream<Path> walk = Files.walk(chart)) {
        for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
          String rel = chart.relativize(p).toString().replace('\\', '/');
          if (wanted(rel)) {
            files.put(rel, Files.readAllBytes(p));
          }
        }
      }
      return new ChartFiles(files);
    }
    try (InputStream in = Files.newInputStream(chart)) {
      return fromArchive(in);
    }
  }

  private static ChartFiles fromArchive(InputStream raw) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    ChartArchive.eachFile(raw, (entryName, rel, content) -> {
      if (wanted(rel)) {
        files.put(rel, content.readAllBytes());
      }
    });
    return new ChartFiles(files);
  }

  private Map<String, Object> yamlMap(String name) {
    byte[] data = files.get(name);
    if (data == null) {
      return new LinkedHashMap<>();
    }
    Object doc;
    try {
      doc = Yaml.load(new String(data, StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new HelmException("chart file '" + name + "' does not parse: " + Yaml.problem(e), e);
    }
    return doc instanceof Map<?, ?> ? asMap(doc) : new LinkedHashMap<>();
  }

  /** @return the chart's {@code Chart.yaml} as a tree, empty when there is none */
  Map<String, Object> metadata() {
    return yamlMap("Chart.yaml");
  }

  /** @return the chart's {@code values.yaml} as a tree, empty when there is none */
  Map<String, Object> defaultValues() {
    return yamlMap("values.yaml");
  }

  private record Subchart(String path, ChartFiles files) {
  }

  private List<Subchart> subcharts() throws IOException {
    Map<String, Map<String, byte[]>> dirs = new TreeMap<>();
    List<Subchart> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      if (!f.getKey().startsWith("charts/")) {
        continue;
      }
      String rest = f.getKey().substring("charts/".length());
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        dirs.computeIfAbsent(rest.substring(0, slash), k -> new TreeMap<>()).put(rest.substring(slash + 1),
            f.getValue());
      } else if (rest.endsWith(".tgz")) {
        out.add(new Subchart("charts/" + rest.substring(0, rest.length() - 4) + "/",
            fromArchive(new ByteArrayInputStream(f.getValue()))));
      }
    }
    for (Map.Entry<String, Map<String, byte[]>> d : dirs.entrySet()) {
      out.add(new Subchart("charts/" + d.getKey() + "/", new ChartFiles(d.getValue())));
    }
    return out;
  }

  /**
   * CRD files as (source path, content): the chart's own first, then each enabled subchart's.
   *
   * @param userValues the values given to the render
   */
  List<Map.Entry<String, byte[]>> crds(Map<String, Object> userValues) throws IOException {
    Map<String, Object> values = HelmValues.mergeMaps(yamlMap("values.yaml"), userValues);
    Object tags = values.get("tags");
    return crds("", values, tags instanceof Map<?, ?> ? asMap(tags) : Map.of());
  }

  private List<Map.Entry<String, byte[]>> crds(String prefix, Map<String, Object> values, Map<String, Object> tags)
      throws IOException {
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      if (f.getKey().startsWith("crds/") && isManifest(f.getKey())) {
        out.add(Map.entry(prefix + f.getKey(), f.getValue()));
      }
    }
    List<Subchart> subcharts = subcharts();
    Object deps = yamlMap("Chart.yaml").get("dependencies");
    List<?> dependencies = deps instanceof List<?> l ? l : List.of();
    for (Subchart sub : subcharts) {
      String name = String.valueOf(sub.files().yamlMap("Chart.yaml").get("name"));
      Map<?, ?> dependency = dependencies.stream()
          .filter(d -> d instanceof Map<?, ?> m && name.equals(String.valueOf(m.get("name"))))
          .map(d -> (Map<?, ?>) d).findFirst().orElse(Map.of());
      String key = dependency.get("alias") instanceof String alias && !alias.isEmpty() ? alias : name;
      Object parentSubValues = values.get(key);
      Map<String, Object> subValues = HelmValues.mergeMaps(sub.files().yamlMap("values.yaml"),
          parentSubValues instanceof Map<?, ?> ? asMap(parentSubValues) : Map.of());
      Map<String, Object> scope = new LinkedHashMap<>(values);
      scope.put(key, subValues);
      if (enabled(dependency, scope, tags)) {
        out.addAll(sub.files().crds(prefix + sub.path(), subValues, tags));
      }
    }
    return out;
  }

  private static boolean enabled(Map<?, ?> dependency, Map<String, Object> values, Map<String, Object> tags) {
    boolean enabled = true;
    if (dependency.get("tags") instanceof List<?> depTags && !depTags.isEmpty()) {
      boolean hasTrue = false;
      boolean hasFalse = false;
      for (Object tag : depTags) {
        if (tags.get(String.valueOf(tag)) instanceof Boolean b) {
          hasTrue |= b;
          hasFalse |= !b;
        }
      }
      enabled = hasTrue || !hasFalse;
    }
    if (dependency.get("condition") instanceof String condition) {
      for (String path : condition.split(",")) {
        Object value = pathValue(values, path.trim());
        if (value instanceof Boolean b) {
          return b;
        }
      }
    }
    return enabled;
  }

  private static Object pathValue(Map<String, Object> values, String path) {
    Object current = values;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }

  private static boolean isManifest(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }
}
