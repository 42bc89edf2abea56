package io.conflux.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link ChartRenderer} prepares from a packaged chart before Helm renders it, kept for the next render of the
 * same archive: the hook-rewritten copy ({@link DeferredHooks#prepare}, which unpacks the archive and copies its
 * files) and the chart's files read for the CRDs, {@code Chart.yaml} and {@code values.yaml} ({@link ChartFiles}).
 * Without it every render of a HelmRelease unpacks, scans and copies its chart again, although N HelmReleases of
 * one chart version share one archive.
 *
 * <p>The key is the SHA-256 of the archive's bytes and the {@link Capabilities} (which decide the rewrite), so an
 * archive replaced at the same path is prepared afresh; values do not take part in preparing. At most
 * {@code capacity} entries are kept; the least recently used one is evicted and its copy deleted. Chart directories
 * (Git sources, already copied per render) are not cached. Copies still kept when the JVM exits stay in
 * {@code java.io.tmpdir} ({@code conflux-helm-prepared-*}, at most {@code capacity} of them). Not thread-safe:
 * {@link ChartRenderer} uses it under its lock, which also keeps a copy from being deleted while Helm reads it.
 */
final class PreparedCharts {

  /**
   * A prepared chart.
   *
   * @param rendered the directory Helm renders (the rewritten copy), or null to render the archive itself
   * @param files the chart's files for its CRDs and metadata
   * @param work the directory holding the copy, deleted on eviction
   */
  record Prepared(Path rendered, ChartFiles files, Path work) {
  }

  private record Key(String sha256, Capabilities capabilities) {
  }

  private final int capacity;
  private final LinkedHashMap<Key, Prepared> entries = new LinkedHashMap<>(16, 0.75f, true);

  /** @param capacity how many prepared archives are kept, at least 1 */
  PreparedCharts(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * @param archive a packaged chart ({@code .tgz})
   * @param capabilities the capabilities of the render
   * @return the prepared chart, prepared now unless an equal archive was prepared for these capabilities before
   * @throws IOException when the archive cannot be read
   * @throws HelmException when it cannot be unpacked or copied
   */
  Prepared get(Path archive, Capabilities capabilities) throws IOException {
    Key key = new Key(sha256(Files.readAllBytes(archive)), Objects.requireNonNull(capabilities, "capabilities"));
    Prepared found = entries.get(key);
    if (found != null) {
      return found;
    }
    Path work = Files.createTempDirectory("conflux-helm-prepared-");
    Prepared prepared;
    try {
      Path rendered = DeferredHooks.prepare(archive, work, capabilities).orElse(null);
      if (rendered == null) {
        DeferredHooks.delete(work); // only the unpacked files: Helm renders the archive itself
        work = null;
      }
      prepared = new Prepared(rendered, ChartFiles.read(archive), work);
    } catch (IOException | RuntimeException e) {
      if (work != null) {
        DeferredHooks.delete(work);
      }
      throw e;
    }
    entries.put(key, prepared);
    for (Iterator<Map.Entry<Key, Prepared>> it = entries.entrySet().iterator(); entries.size() > capacity; ) {
      Prepared evicted = it.next().getValue();
      it.remove();
      if (evicted.work() != null) {
        DeferredHooks.delete(evicted.work());
      }
    }
    return prepared;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
