package io.conflux.helm;

import io.conflux.kustomize.yaml.YamlBounds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A chart directory inside a source tree (a {@code GitRepository} revision read into any file system), made
 * ready to render the way source-controller builds the artifact of a {@code HelmChart} whose {@code sourceRef} is
 * a {@code GitRepository} or {@code Bucket}:
 *
 * <ul>
 *   <li>the chart's identity is {@code name} and {@code version} of its {@code Chart.yaml} (a
 *       {@code spec.chart.spec.version} is ignored for such sources);</li>
 *   <li>with {@code reconcileStrategy: Revision}, the version gets the first 12 hex characters of the source
 *       revision as SemVer build metadata, replacing any it had ({@code 6.14.1+4e5cbb7b97d0}), and the chart is
 *       rendered with that version ({@code .Chart.Version}), as source-controller packages it;</li>
 *   <li>dependencies with a {@code file://} repository that are not under {@code charts/} are taken from the
 *       source tree (they must stay inside it), as source-controller's dependency manager does; other missing
 *       dependencies are an error naming them (remote dependencies are not downloaded).</li>
 * </ul>
 */
public final class ChartDirectory {
  /** How many hex characters of a source revision source-controller puts in the version metadata. */
  public static final int REVISION_METADATA_LENGTH = 12;

  private final Path root;
  private final Path dir;
  private final String path;
  private final Map<String, Object> chartYaml;

  private ChartDirectory(Path root, Path dir, String path, Map<String, Object> chartYaml) {
    this.root = root;
    this.dir = dir;
    this.path = path;
    this.chartYaml = chartYaml;
  }

  /**
   * Finds a chart in a source tree.
   *
   * @param sourceRoot the root of the source tree, on any file system
   * @param chartPath the chart's path relative to the root as {@code spec.chart.spec.chart} writes it, e.g.
   *     {@code ./charts/podinfo}
   * @return the chart
   * @throws HelmException naming the path when it leaves the root, is not a directory, or has no
   *     {@code Chart.yaml} with a {@code name} and {@code version}
   */
  public static ChartDirectory find(Path sourceRoot, String chartPath) {
    Path root = sourceRoot.toAbsolutePath().normalize();
    String relative = chartPath.startsWith("/") ? chartPath.substring(1) : chartPath;
    Path dir = root.resolve(relative).normalize();
    if (!dir.startsWith(root)) {
      throw new HelmException("chart path '" + chartPath + "' leaves the source root");
    }
    if (!Files.isDirectory(dir)) {
      throw new HelmException("chart path '" + chartPath + "' not found");
    }
    Path file = dir.resolve("Chart.yaml");
    if (!Files.isRegularFile(file)) {
      throw new HelmException("chart path '" + chartPath + "' has no Chart.yaml");
    }
    Object doc;
    Object strings;
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      doc = Yaml.load(text);
      strings = Yaml.loadStrings(text, YamlBounds.MANIFESTS);
    } catch (IOException | RuntimeException e) {
      throw new HelmException("cannot read " + chartPath + "/Chart.yaml: "
          + (e instanceof RuntimeException r ? Yaml.problem(r) : e.getMessage()), e);
    }
    if (!(doc instanceof Map<?, ?> map) || !(strings instanceof Map<?, ?> asStrings)
        || asStrings.get("name") == null || asStrings.get("version") == null) {
      throw new HelmException(chartPath + "/Chart.yaml has no name or version");
    }
    // Go reads name and version as strings: a version written 1.10 stays "1.10"
    @SuppressWarnings("unchecked")
    Map<String, Object> chartYaml = new LinkedHashMap<>((Map<String, Object>) map);
    chartYaml.put("name", asStrings.get("name"));
    chartYaml.put("version", asStrings.get("version"));
    return new ChartDirectory(root, dir, chartPath, chartYaml);
  }

  /** @return {@code name} from {@code Chart.yaml} */
  public String name() {
    return String.valueOf(chartYaml.get("name"));
  }

  /** @return {@code version} from {@code Chart.yaml}, as written */
  public String version() {
    return String.valueOf(chartYaml.get("version"));
  }

  /**
   * @param sourceRevisionHex the source revision's hex (a Git commit SHA, a Bucket digest)
   * @return the version with source-controller's {@code Revision} strategy metadata, e.g. {@code 6.14.1+4e5cbb7b97d0}
   */
  public String versionWithRevision(String sourceRevisionHex) {
    String base = version();
    int plus = base.indexOf('+');
    if (plus >= 0) {
      base = base.substring(0, plus);
    }
    String hex = sourceRevisionHex.length() > REVISION_METADATA_LENGTH
        ? sourceRevisionHex.substring(0, REVISION_METADATA_LENGTH) : sourceRevisionHex;
    return base + "+" + hex;
  }

  /**
   * Writes the chart as a directory Helm can load (on the default file system), with {@code file://} dependencies
   * added under {@code charts/}.
   *
   * @param target an empty or missing directory on the default file system
   * @param version the version to render with (written into the copy's {@code Chart.yaml} when it differs from
   *     {@link #version()}), e.g. from {@link #versionWithRevision}
   * @return {@code target}
   * @throws HelmException naming the chart path when a file cannot be copied or a dependency is missing
   */
  public Path copyTo(Path target, String version) {
    try {
      copyTree(dir, target);
      if (!version.equals(version())) {
        Map<String, Object> rewritten = new LinkedHashMap<>(chartYaml);
        rewritten.put("version", version);
        Files.writeString(target.resolve("Chart.yaml"), Yaml.json(rewritten), StandardCharsets.UTF_8);
      }
      addLocalDependencies(target);
      return target;
    } catch (IOException e) {
      throw new HelmException("cannot copy chart '" + path + "': " + e.getMessage(), e);
    }
  }

  private void addLocalDependencies(Path target) throws IOException {
    if (!(chartYaml.get("dependencies") instanceof List<?> dependencies)) {
      return;
    }
    for (Object d : dependencies) {
      if (!(d instanceof Map<?, ?> dependency) || dependency.get("name") == null) {
        continue;
      }
      String name = String.valueOf(dependency.get("name"));
      if (vendored(target.resolve("charts"), name)) {
        continue;
      }
      String repository = dependency.get("repository") == null ? "" : String.valueOf(dependency.get("repository"));
      if (!repository.startsWith("file://")) {
        throw new HelmException("chart '" + path + "' depends on '" + name + "' from '" + repository
            + "', which is not under its charts/ directory; only file:// dependencies are resolved from the source");
      }
      Path local = dir.resolve(repository.substring("file://".length())).normalize();
      if (!local.startsWith(root) || !Files.isRegularFile(local.resolve("Chart.yaml"))) {
        throw new HelmException("chart '" + path + "' depends on '" + name + "' at '" + repository
            + "', which is not a chart inside the source");
      }
      copyTree(local, target.resolve("charts").resolve(name));
    }
  }

  /** Whether {@code charts/} holds the dependency as a directory or an archive (Helm matches it by name). */
  private static boolean vendored(Path charts, String name) throws IOException {
    if (!Files.isDirectory(charts)) {
      return false;
    }
    if (Files.isRegularFile(charts.resolve(name).resolve("Chart.yaml"))) {
      return true;
    }
    try (Stream<Path> files = Files.list(charts)) {
      return files.map(f -> f.getFileName().toString())
          .anyMatch(f -> f.startsWith(name + "-") && f.endsWith(".tgz"));
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path out = to;
        for (Path part : from.relativize(p)) {
          out = out.resolve(part.toString());
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else if (Files.isRegularFile(p)) {
          Files.createDirectories(out.getParent());
          Files.write(out, Files.readAllBytes(p));
        }
      }
    }
  }
}
