package io.conflux.helm;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a packaged chart ({@code .tgz}): its regular files, each by its path below the chart's top directory
 * ({@code podinfo/values.yaml} is {@code values.yaml}), as Helm's loader names a chart's files.
 */
final class ChartArchive {

  /** What is done with one file of the archive. */
  @FunctionalInterface
  interface FileVisitor {
    /**
     * @param entryName the entry's name in the archive, e.g. {@code podinfo/values.yaml}
     * @param path the file's path below the chart's top directory, e.g. {@code values.yaml}
     * @param content the file's bytes, readable until this method returns
     */
    void visit(String entryName, String path, InputStream content) throws IOException;
  }

  private ChartArchive() {
  }

  /**
   * Visits every regular file below the chart's top directory, in archive order; entries at the top level are
   * skipped. The JDK's gzip reader, not commons-compress': Helm writes a gzip "extra" field that is not made of
   * subfields, which commons-compress rejects.
   *
   * @param archive the gzipped tar stream; closed when done
   * @throws IOException when the archive cannot be read, or as the visitor throws
   */
  static void eachFile(InputStream archive, FileVisitor visitor) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(archive))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String name = entry.getName();
        int slash = name.indexOf('/');
        if (entry.isFile() && slash >= 0 && slash < name.length() - 1) {
          visitor.visit(name, name.substring(slash + 1), tar);
        }
      }
    }
  }
}
