package io.conflux.artifacts;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Artifact tarballs ({@code tar+gzip}), as source-controller stores artifacts and {@code flux push artifact} packs
 * layers: written reproducibly (entries in path order, mode 0644, time 0), read with the bounds of a source (no
 * absolute path, no {@code ..}, no links leaving the root, a total size bound).
 */
public final class Tarballs {
    private Tarballs() {
    }

    /**
     * @param files relative path ({@code /}-separated) → content
     * @return the tar+gzip of the files, in path order, reproducible
     */
    public static byte[] pack(Map<String, byte[]> files) {
        SortedMap<String, byte[]> sorted = new TreeMap<>(files);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> f : sorted.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
                entry.setSize(f.getValue().length);
                entry.setMode(0100644);
                entry.setModTime(0);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Extracts a tar+gzip into {@code root} (any file system, e.g. an in-memory one).
     *
     * @param tgz      the tarball
     * @param root     an existing directory
     * @param maxBytes bound of the extracted content's total size
     * @param what     the artifact, for messages
     * @return the number of files written
     * @throws ArtifactException {@code OCIArtifactLayerOperationFailed} when it is not a tar+gzip, an entry leaves the
     *                           root, is a link, or the content exceeds the bound
     */
    public static int extract(byte[] tgz, Path root, long maxBytes, String what) {
        int files = 0;
        long total = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tgz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                Path target = root.resolve(name.startsWith("/") ? name.substring(1) : name).normalize();
                if (name.startsWith("/") || !target.startsWith(root)) {
                    throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                            what + ": entry '" + name + "' leaves the artifact root");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isSymbolicLink() || entry.isLink()) {
                    throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                            what + ": entry '" + name + "' is a link, which Conflux does not extract");
                } else if (entry.isFile()) {
                    total += entry.getSize();
                    if (total > maxBytes) {
                        throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                                what + ": content is larger than " + maxBytes + " bytes");
                    }
                    Files.createDirectories(target.getParent());
                    Files.write(target, readBounded(tar, entry.getSize()));
                    files++;
                }
            }
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                    what + ": not a tar+gzip archive: " + e.getMessage(), e);
        }
        return files;
    }

    /**
     * Reads a tar+gzip's regular files into memory, with the bounds of {@link #extract}.
     *
     * @return relative path → content
     * @throws ArtifactException as {@link #extract}
     */
    public static Map<String, byte[]> read(byte[] tgz, long maxBytes, String what) {
        Map<String, byte[]> files = new TreeMap<>();
        long total = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tgz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                String relative = name.startsWith("./") ? name.substring(2) : name;
                if (name.startsWith("/") || relative.equals("..") || relative.startsWith("../") || relative.contains("/../")) {
                    throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                            what + ": entry '" + name + "' leaves the artifact root");
                }
                if (entry.isSymbolicLink() || entry.isLink()) {
                    throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                            what + ": entry '" + name + "' is a link, which Conflux does not extract");
                }
                if (entry.isFile()) {
                    total += entry.getSize();
                    if (total > maxBytes) {
                        throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                                what + ": content is larger than " + maxBytes + " bytes");
                    }
                    files.put(relative, readBounded(tar, entry.getSize()));
                }
            }
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.OCI_LAYER_FAILED,
                    what + ": not a tar+gzip archive: " + e.getMessage(), e);
        }
        return files;
    }

    private static byte[] readBounded(InputStream in, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("entry too large");
        }
        return in.readNBytes((int) size);
    }
}
