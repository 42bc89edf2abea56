package io.conflux.helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Gets a chart's hooks out of helm-java's {@code template}, which prints only the release manifest (Helm's
 * {@code rel.Manifest}; hooks, test hooks included, are kept in {@code rel.Hooks} and not printed). Helm tells a hook by
 * the annotation key {@value #HOOK} after rendering, so a copy of the chart whose template files spell that key
 * {@value #DEFERRED} renders its hooks as ordinary objects of the manifest; {@link #restore} then gives them their
 * {@code helm.sh/hook*} annotations back and {@link #isDeferred} picks them out.
 *
 * <p>Only template files of the chart and of subcharts unpacked under {@code charts/<name>/} are rewritten: hooks of
 * subcharts packaged as {@code charts/*.tgz} stay dropped, as is a hook whose annotation key a template computes
 * (neither occurs in the charts Conflux is tested with). The rewrite is done only when a template names
 * {@value #HOOK}, so charts without hooks are rendered in place.
 */
final class DeferredHooks {
  /** Helm's hook annotation key, and the prefix of {@code helm.sh/hook-weight} and {@code -delete-policy}. */
  static final String HOOK = "helm.sh/hook";
  /** What {@link #HOOK} is spelled in the rewritten copy. */
  static final String DEFERRED = "conflux.invalid/deferred-helm-hook";

  private DeferredHooks() {
  }

  /**
   * @param chart a chart directory or archive
   * @param work  an empty directory for the rewritten copy
   * @return the rewritten copy when the chart's templates name {@value #HOOK}, else empty (render {@code chart})
   * @throws HelmException when the chart cannot be read or copied
   */
  static Optional<Path> prepare(Path chart, Path work) {
    try {
      Path dir = Files.isDirectory(chart) ? chart : ChartValuesFiles.unpack(chart, work.resolve("unpacked"));
      if (!hasHooks(dir)) {
        return Optional.empty();
      }
      Path copy = work.resolve("chart");
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          Path target = copy.resolve(dir.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else if (Files.isRegularFile(p)) {
            if (isTemplate(dir.relativize(p))) {
              String text = Files.readString(p, StandardCharsets.UTF_8);
              Files.writeString(target, text.replace(HOOK, DEFERRED), StandardCharsets.UTF_8);
            } else {
              Files.copy(p, target);
            }
          }
        }
      }
      return Optional.of(copy);
    } catch (IOException e) {
      throw new HelmException("cannot prepare the hooks of chart " + chart + ": " + e.getMessage(), e);
    }
  }

  /** @return whether the rendered object is a hook of the rewritten copy */
  static boolean isDeferred(Map<String, Object> object) {
    return object.get("metadata") instanceof Map<?, ?> metadata
        && metadata.get("annotations") instanceof Map<?, ?> annotations
        && annotations.containsKey(DEFERRED);
  }

  /**
   * @param object a rendered object of the rewritten copy
   * @return the object with its {@value #DEFERRED}{@code *} annotation keys spelled {@value #HOOK}{@code *} again
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> restore(Map<String, Object> object) {
    if (!(object.get("metadata") instanceof Map<?, ?> metadata)
        || !(metadata.get("annotations") instanceof Map<?, ?> annotations)) {
      return object;
    }
    Map<String, Object> renamed = new LinkedHashMap<>();
    annotations.forEach((k, v) -> {
      String key = String.valueOf(k);
      renamed.put(key.startsWith(DEFERRED) ? HOOK + key.substring(DEFERRED.length()) : key, v);
    });
    Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) metadata);
    meta.put("annotations", renamed);
    Map<String, Object> copy = new LinkedHashMap<>(object);
    copy.put("metadata", meta);
    return copy;
  }

  /** Deletes a work directory; a leftover is harmless. */
  static void delete(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // a leftover temp directory is harmless
    }
  }

  private static boolean hasHooks(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> templates = walk.filter(Files::isRegularFile).filter(p -> isTemplate(dir.relativize(p))).toList();
      for (Path p : templates) {
        if (Files.readString(p, StandardCharsets.UTF_8).contains(HOOK)) {
          return true;
        }
      }
      return false;
    }
  }

  /** @return whether a chart-relative path is a template file of the chart or of an unpacked subchart */
  private static boolean isTemplate(Path relative) {
    String path = relative.toString().replace('\\', '/');
    return path.startsWith("templates/") || path.matches("(charts/[^/]+/)+templates/.*");
  }
}
