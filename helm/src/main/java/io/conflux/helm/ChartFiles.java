package io.conflux.helm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The files of a chart (a directory or a {@code .tgz}), paths relative to the chart root, read only to
 * collect what Helm's {@code Chart.CRDObjects()} returns: {@code crds/*.yaml|yml|json} of the chart and,
 * recursively, of the subcharts under {@code charts/} (directories and archives).
 */
final class ChartFiles {

  private final Map<String, byte[]> files;

  private ChartFiles(Map<String, byte[]> files) {
    this.files = files;
  }

  static ChartFiles read(Path chart) throws IOException {
    if (Files.isDirectory(chart)) {
      Map<String, byte[]> files = new TreeMap<>();
      try (Stream<Path> walk = Files.walk(chart)) {
        for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
          String rel = chart.relativize(p).toString().replace('\\', '/');
          if (rel.startsWith("crds/") || rel.startsWith("charts/")) {
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
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (!entry.isFile()) {
          continue;
        }
        String name = entry.getName();
        int slash = name.indexOf('/');
        if (slash < 0) {
          continue;
        }
        String rel = name.substring(slash + 1);
        if (rel.startsWith("crds/") || rel.startsWith("charts/")) {
          files.put(rel, tar.readAllBytes());
        }
      }
    }
    return new ChartFiles(files);
  }

  /** CRD files as (source path, content), the chart's own first, then each subchart's, by name. */
  List<Map.Entry<String, byte[]>> crds(String prefix) throws IOException {
    List<Map.Entry<String, byte[]>> out = new ArrayList<>();
    Map<String, Map<String, byte[]>> subDirs = new TreeMap<>();
    Map<String, byte[]> subArchives = new TreeMap<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String rel = f.getKey();
      if (rel.startsWith("crds/") && isManifest(rel)) {
        out.add(Map.entry(prefix + rel, f.getValue()));
      } else if (rel.startsWith("charts/")) {
        String rest = rel.substring("charts/".length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
          if (rest.endsWith(".tgz")) {
            subArchives.put(rest, f.getValue());
          }
        } else {
          subDirs.computeIfAbsent(rest.substring(0, slash), k -> new TreeMap<>())
              .put(rest.substring(slash + 1), f.getValue());
        }
      }
    }
    for (Map.Entry<String, Map<String, byte[]>> sub : subDirs.entrySet()) {
      out.addAll(new ChartFiles(sub.getValue()).crds(prefix + "charts/" + sub.getKey() + "/"));
    }
    for (Map.Entry<String, byte[]> sub : subArchives.entrySet()) {
      String name = sub.getKey().substring(0, sub.getKey().length() - ".tgz".length());
      out.addAll(fromArchive(new ByteArrayInputStream(sub.getValue())).crds(prefix + "charts/" + name + "/"));
    }
    return out;
  }

  private static boolean isManifest(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }
}
