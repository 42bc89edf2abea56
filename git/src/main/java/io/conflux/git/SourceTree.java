package io.conflux.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a GitRepository's artifact content ({@link GitSource}) into a directory, in the order Flux's source-controller
 * builds the artifact: check out the revision, copy each include, then leave out what the ignore rules exclude
 * ({@link SourceIgnore}, so the including repository's rules apply to included files too).
 *
 * <p>Includes follow Flux's {@code reconcileInclude} / {@code Storage.CopyToPath}: the included repository's artifact
 * (its revision, its own includes, its own ignore rules) is prepared aside, its {@code fromPath} (default: all of it)
 * is moved to {@code toPath} (default: the included repository's name) in the including tree. Like Flux's rename,
 * {@code toPath} may be absent or an empty directory, or a file replaced by a file; a non-empty directory there is an
 * error. Paths are relative to the repository roots and may not leave them.
 */
public final class SourceTree {
    private final GitMirror mirror;

    /** @param mirror the Git mirrors to read revisions from */
    public SourceTree(GitMirror mirror) {
        this.mirror = mirror;
    }

    /**
     * @param source what to write
     * @param root   an existing, empty directory with a parent directory (included artifacts are prepared next
     *               to it), on any file system
     * @throws GitUrlException            when a repository's URL is not one a GitRepository may name
     * @throws GitAuthenticationException when a repository's credentials cannot be used
     * @throws GitException               when a revision cannot be fetched or read, or an include cannot be copied;
     *                                    the message names the include
     */
    public void write(GitSource source, Path root) {
        mirror.checkout(source.key(), source.url(), source.revision(), root, source.credentials(), source.timeout());
        for (GitSource.Include include : source.includes()) {
            include(include, root);
        }
        SourceIgnore.load(root, source.ignore()).prune(root);
    }

    private void include(GitSource.Include include, Path root) {
        GitSource included = include.source();
        String name = included.name();
        String from = include.fromPath() == null || include.fromPath().isBlank() ? "./" : include.fromPath();
        String to = include.toPath() == null || include.toPath().isEmpty() ? name : include.toPath();
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(root.toAbsolutePath().getParent(), ".include-");
            write(included, scratch);
            Path src = inside(scratch, from, "fromPath");
            Path dst = inside(root, to, "toPath");
            if (!Files.exists(src)) {
                throw new GitException("fromPath '" + from + "' does not exist in revision " + included.revision());
            }
            if (dst.equals(root)) {
                throw new GitException("toPath '" + to + "' is the root of the including repository");
            }
            Files.createDirectories(dst.getParent());
            Files.move(src, dst, StandardCopyOption.REPLACE_EXISTING);
        } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
            throw new GitException("include '" + name + "': cannot copy to toPath '" + to
                    + "': it already exists in the including repository and is not empty", e);
        } catch (IOException e) {
            throw new GitException("include '" + name + "': cannot copy '" + from + "' to '" + to + "': " + e.getMessage(), e);
        } catch (GitUrlException e) {
            throw new GitUrlException("include '" + name + "': " + e.getMessage());
        } catch (GitAuthenticationException e) {
            throw new GitAuthenticationException("include '" + name + "': " + e.getMessage(), e);
        } catch (GitException e) {
            throw new GitException("include '" + name + "': " + e.getMessage(), e);
        } finally {
            if (scratch != null) {
                delete(scratch);
            }
        }
    }

    private static Path inside(Path root, String path, String field) {
        Path resolved = root.resolve(path.replaceFirst("^/+", "")).normalize();
        if (!resolved.startsWith(root)) {
            throw new GitException(field + " '" + path + "' leaves the repository");
        }
        return resolved;
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
