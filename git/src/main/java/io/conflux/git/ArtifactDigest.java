package io.conflux.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The digest of a GitRepository's artifact content, for {@code status.artifact.digest}. Flux's source-controller
 * digests the tarball it stores; Conflux stores no archive, so it digests what the archive would hold — the tree
 * {@link SourceTree} writes (revision, includes, ignore rules applied): SHA-256 over every regular file, in path order,
 * of its path relative to the root (with {@code /}), a NUL, its length, a NUL and its bytes (file modes are left out:
 * not every file system keeps them).
 * Equal content gives equal digests whatever the file system; a changed ignore rule or include changes it.
 */
public final class ArtifactDigest {
    private ArtifactDigest() {
    }

    /**
     * @param root the artifact content, as {@link SourceTree#write} left it
     * @return {@code sha256:<64 hex>}
     * @throws UncheckedIOException when the tree cannot be read
     */
    public static String of(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .sorted((a, b) -> relative(root, a).compareTo(relative(root, b))).toList();
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                byte[] content = Files.readAllBytes(file);
                sha256.update(relative(root, file).getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
                sha256.update(Long.toString(content.length).getBytes(StandardCharsets.UTF_8));
                sha256.update((byte) 0);
                sha256.update(content);
            }
            return "sha256:" + HexFormat.of().formatHex(sha256.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the artifact content under " + root, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace(root.getFileSystem().getSeparator(), "/");
    }
}
