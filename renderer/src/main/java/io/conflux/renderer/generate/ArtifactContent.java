package io.conflux.renderer.generate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A generated artifact's files as stored in {@code generated_artifact.content}: a zip of the regular files under the
 * artifact root, in path order, with a fixed time stamp, so that equal content gives equal bytes. Where Flux's
 * source-watcher archives a tarball into its storage.
 */
public final class ArtifactContent {
    private static final FileTime EPOCH = FileTime.fromMillis(0);
    /** Bound of the unpacked size of one artifact, bytes (256 MiB): a zip bomb in the table fails the render. */
    static final long MAX_UNPACKED = 256L << 20;

    private ArtifactContent() {
    }

    /**
     * @param root the artifact's files
     * @return the zip's bytes
     * @throws UncheckedIOException when the tree cannot be read
     */
    public static byte[] pack(Path root) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted((a, b) -> rel(root, a).compareTo(rel(root, b))).toList();
            for (Path file : files) {
                ZipEntry entry = new ZipEntry(rel(root, file));
                entry.setLastModifiedTime(EPOCH);
                entry.setCreationTime(EPOCH);
                entry.setLastAccessTime(EPOCH);
                zip.putNextEntry(entry);
                zip.write(Files.readAllBytes(file));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack the artifact under " + root, e);
        }
        return bytes.toByteArray();
    }

    /**
     * @param content bytes from {@link #pack}
     * @param root    an existing, empty directory
     * @throws IOException when the bytes are not such a zip, an entry would leave {@code root}, or the files exceed
     *                     {@link #MAX_UNPACKED}
     */
    public static void unpack(byte[] content, Path root) throws IOException {
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                Path target = root.resolve(name).normalize();
                if (name.startsWith("/") || !target.startsWith(root) || entry.isDirectory()) {
                    throw new IOException("artifact entry '" + name + "' is not a file under the artifact root");
                }
                byte[] data = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_UNPACKED - total + 1));
                total += data.length;
                if (total > MAX_UNPACKED) {
                    throw new IOException("artifact exceeds " + MAX_UNPACKED + " bytes unpacked");
                }
                Files.createDirectories(target.getParent());
                Files.write(target, data);
            }
        }
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString().replace(root.getFileSystem().getSeparator(), "/");
    }
}
