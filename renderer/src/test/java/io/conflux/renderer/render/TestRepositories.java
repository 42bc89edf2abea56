package io.conflux.renderer.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;

/** Local Git repositories for renderer tests: a directory tree copied in and committed with JGit. */
final class TestRepositories {
    private TestRepositories() {
    }

    /** Commits everything under {@code work} (a new repository on {@code branch} unless one exists); @return the sha */
    static String commit(Path work, String branch) throws Exception {
        try (Git git = Files.exists(work.resolve(".git")) ? Git.open(work.toFile())
                : Git.init().setDirectory(work.toFile()).setInitialBranch(branch).call()) {
            git.add().addFilepattern(".").call();
            return git.commit().setMessage("fixture").setAuthor("t", "t@t").setCommitter("t", "t@t").call().name();
        }
    }

    /** Copies the tree {@code from} into {@code to}. */
    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
