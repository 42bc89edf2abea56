package io.conflux.helm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Flux's {@code HelmRelease.spec.chart.spec.valuesFiles} and {@code ignoreMissingValuesFiles} (the {@code HelmChart}
 * fields of the same names), built the way source-controller builds such a chart: the listed files are deep-merged
 * in list order, the last one winning ({@link HelmValues#mergeMaps}: maps merge key by key, lists and scalars are
 * replaced), and the result <em>replaces</em> the chart's default values ({@code values.yaml} only counts when it is
 * listed; source-controller's {@code OverwriteChartDefaultValues}). The HelmRelease's {@code valuesFrom} and
 * {@code values} are then given on top as usual.
 *
 * <p>Where the paths point depends on the chart's source, as in source-controller:
 * <ul>
 *   <li>a chart from a {@code HelmRepository} (HTTP or OCI): inside the chart, relative to its root
 *       ({@link #mergeFromChart}, source-controller's {@code mergeChartValues}), e.g. {@code values-prod.yaml};</li>
 *   <li>a chart from a {@code GitRepository}: relative to the repository root ({@link #mergeFromSource},
 *       source-controller's {@code mergeFileValues}), e.g. {@code ./charts/podinfo/values-prod.yaml}.</li>
 * </ul>
 * A listed file that does not exist fails with Flux's {@code no values file found at path '<path>'}, unless
 * {@code ignoreMissingValuesFiles} is set, in which case it is skipped.
 */
public final class ChartValuesFiles {

  /** The chart's default values file. */
  public static final String VALUES_YAML = "values.yaml";

  /** Files of a chart archive that Helm's loader does not keep among the chart's {@code Files}. */
  private static final Set<String> NOT_CHART_FILES = Set.of("Chart.yaml", "Chart.lock", "values.schema.json",
      "requirements.yaml", "requirements.lock");

  private ChartValuesFiles() {
  }

  /**
   * Merges values files found inside a chart, as source-controller does for a chart from a {@code HelmRepository}:
   * each path is cleaned ({@code ./values-prod.yaml} is {@code values-prod.yaml}) and looked up among the chart's
   * files; {@code values.yaml} is the chart's default values (empty when the chart has none).
   *
   * @param chart a packaged chart ({@code .tgz}) or a chart directory
   * @param paths {@code valuesFiles}, in order
   * @param ignoreMissing {@code ignoreMissingValuesFiles}: skip a path with no file instead of failing
   * @return the merged values, a new mutable map (empty when every file was skipped)
   * @throws HelmException {@code no values file found at path '<path>'} for a missing file (unless
   *     {@code ignoreMissing}), or naming the file when it is not a YAML map or the chart cannot be read
   */
  public static Map<String, Object> mergeFromChart(Path chart, List<String> paths, boolean ignoreMissing) {
    Map<String, byte[]> files;
    try {
      files = Files.isDirectory(chart) ? null : archiveFiles(chart);
    } catch (IOException e) {
      throw new HelmException("cannot read chart " + chart.getFileName() + " for its values files: "
          + e.getMessage(), e);
    }
    Map<String, Object> merged = new LinkedHashMap<>();
    for (String path : paths) {
      String clean = clean(path);
      byte[] data;
      if (clean == null || !isChartFile(clean)) {
        data = null;
      } else if (files != null) {
        data = files.get(clean);
      } else {
        data = readRegular(chart.resolve(clean), path);
      }
      if (data == null) {
        if (clean != null && clean.equals(VALUES_YAML)) {
          data = new byte[0];
        } else if (ignoreMissing) {
          continue;
        } else {
          throw missing(path);
        }
      }
      merged = HelmValues.mergeMaps(merged, parse(data, path));
    }
    return merged;
  }

  /**
   * Merges values files of a source tree, as source-controller does for a chart from a {@code GitRepository} (or a
   * {@code Bucket}): each path is relative to the source root, and cannot leave it ({@code ../} at the root stays
   * at the root, as Go's {@code securejoin} does).
   *
   * @param sourceRoot the root of the source revision, on any file system
   * @param paths {@code valuesFiles}, in order, e.g. {@code ./charts/podinfo/values-prod.yaml}
   * @param ignoreMissing {@code ignoreMissingValuesFiles}: skip a path with no file instead of failing (a path that
   *     is there but is not a regular file still fails, as in Flux)
   * @return the merged values, a new mutable map (empty when every file was skipped)
   * @throws HelmException {@code no values file found at path '<path>'} for a missing file (unless
   *     {@code ignoreMissing}) or a directory, or naming the file when it is not a YAML map
   */
  public static Map<String, Object> mergeFromSource(Path sourceRoot, List<String> paths, boolean ignoreMissing) {
    Path root = sourceRoot.toAbsolutePath().normalize();
    Map<String, Object> merged = new LinkedHashMap<>();
    for (String path : paths) {
      Path file = root;
      for (String part : cleanRooted(path)) {
        file = file.resolve(part);
      }
      if (!Files.exists(file)) {
        if (ignoreMissing) {
          continue;
        }
        throw missing(path);
      }
      byte[] data = readRegular(file, path);
      if (data == null) {
        throw missing(path);
      }
      merged = HelmValues.mergeMaps(merged, parse(data, path));
    }
    return merged;
  }

  /**
   * Replaces a chart directory's default values, as source-controller's {@code OverwriteChartDefaultValues} does
   * with the merged values files: {@code values.yaml} is written with {@code values} (and nothing else).
   *
   * @param chartDir a chart directory on the default file system, e.g. from {@link #unpack} or
   *     {@link ChartDirectory#copyTo}; it is modified
   * @param values the new defaults, e.g. from {@link #mergeFromChart}
   * @throws HelmException naming the chart when the file cannot be written
   */
  public static void replaceDefaultValues(Path chartDir, Map<String, Object> values) {
    try {
      Files.writeString(chartDir.resolve(VALUES_YAML), Yaml.json(values), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new HelmException("cannot write the values of chart " + chartDir.getFileName() + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Unpacks a chart archive into a directory, so that its default values can be replaced
   * ({@link #replaceDefaultValues}) before it is rendered. The archive's top directory ({@code podinfo/}) is
   * dropped; entries that would leave {@code target} are refused.
   *
   * @param archive a packaged chart ({@code .tgz})
   * @param target an empty or missing directory on the default file system
   * @return {@code target}
   * @throws HelmException naming the archive when it cannot be read or has an entry leaving the directory
   */
  public static Path unpack(Path archive, Path target) {
    try (InputStream in = Files.newInputStream(archive)) {
      Path dir = Files.createDirectories(target).toAbsolutePath().normalize();
      ChartArchive.eachFile(in, (entryName, rel, content) -> {
        Path out = dir.resolve(rel).normalize();
        if (!out.startsWith(dir) || out.equals(dir)) {
          throw new HelmException("chart archive " + archive.getFileName() + " has an entry leaving the chart: "
              + entryName);
        }
        Files.createDirectories(out.getParent());
        try (OutputStream o = Files.newOutputStream(out)) {
          content.transferTo(o);
        }
      });
      return target;
    } catch (IOException e) {
      throw new HelmException("cannot unpack chart archive " + archive.getFileName() + ": " + e.getMessage(), e);
    }
  }

  private static HelmException missing(String path) {
    return new HelmException("no values file found at path '" + path + "'");
  }

  private static Map<String, Object> parse(byte[] data, String path) {
    return HelmValues.parse(new String(data, StandardCharsets.UTF_8), "values file '" + path + "'");
  }

  /** @return the file's bytes, or null when it is not a regular file */
  private static byte[] readRegular(Path file, String path) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new HelmException("could not read values from file '" + path + "': " + e.getMessage(), e);
    }
  }

  /** Whether Helm's loader keeps a file at this chart path among the chart's {@code Files} (or it is the values). */
  private static boolean isChartFile(String clean) {
    return !NOT_CHART_FILES.contains(clean) && !clean.startsWith("templates/") && !clean.startsWith("charts/");
  }

  /** The files of a chart archive by path inside the chart (the top directory dropped). */
  private static Map<String, byte[]> archiveFiles(Path archive) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(archive)) {
      ChartArchive.eachFile(in, (entryName, rel, content) -> files.put(rel, content.readAllBytes()));
    }
    return files;
  }

  /**
   * Go's {@code filepath.Clean} of a relative path, or null when it is absolute or climbs above its start (no chart
   * file has such a name).
   */
  private static String clean(String path) {
    if (path.startsWith("/")) {
      return null;
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }

  /** The parts of a path joined under a root the way {@code securejoin} does: {@code ..} never climbs above it. */
  private static List<String> cleanRooted(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    return List.copyOf(parts);
  }
}
