package io.conflux.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * Turns directories of manifests into Git repositories and commits changes to them: how the bundled examples and
 * the end-to-end tests get real repositories from {@code ../shared/fixtures/repos} (no history is copied, one
 * commit is made).
 */
public final class FixtureRepositories {
    private FixtureRepositories() {
    }

    /**
     * Copies {@code fixture} into a new repository at {@code target} on {@code branch} and commits it.
     *
     * @return the commit sha (40 hex)
     * @throws IllegalStateException when {@code target} already holds a repository
     */
    public static String create(Path fixture, Path target, String branch) {
        if (Files.exists(target.resolve(".git"))) {
            throw new IllegalStateException("repository already exists: " + target);
        }
        copyTree(fixture, target);
        try (Git git = Git.init().setDirectory(target.toFile()).setInitialBranch(branch).call()) {
            return commit(git, "Import " + fixture.getFileName());
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot create repository " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Commits every change of the work tree at {@code repository} (additions, modifications, deletions).
     *
     * @return the new commit sha
     */
    public static String commitAll(Path repository, String message) {
        try (Git git = Git.open(repository.toFile())) {
            return commit(git, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the sha of {@code HEAD} of the repository at {@code repository} */
    public static String head(Path repository) {
        try (Git git = Git.open(repository.toFile())) {
            return git.getRepository().resolve("HEAD").name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String commit(Git git, String message) {
        try {
            git.add().addFilepattern(".").call();
            git.add().addFilepattern(".").setUpdate(true).call();
            return git.commit().setMessage(message).setAuthor("conflux", "conflux@localhost")
                    .setCommitter("conflux", "conflux@localhost").setAllowEmpty(true).call().name();
        } catch (GitAPIException e) {
            throw new IllegalStateException("commit failed: " + e.getMessage(), e);
        }
    }

    /** Copies a directory tree (files and directories; existing files are replaced). */
    public static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
