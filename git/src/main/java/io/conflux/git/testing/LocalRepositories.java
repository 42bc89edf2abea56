package io.conflux.git.testing;

import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.util.FS;

/** Opens a served repository by path: a bare repository ({@code x.git}) or a work tree with {@code .git}. */
final class LocalRepositories {
    private LocalRepositories() {
    }

    /**
     * @param dir the repository's directory
     * @return the opened repository; the caller closes it
     * @throws RepositoryNotFoundException when {@code dir} holds no repository
     */
    static Repository open(Path dir) throws IOException {
        java.io.File gitDir = RepositoryCache.FileKey.resolve(dir.toFile(), FS.DETECTED);
        if (gitDir == null) {
            throw new RepositoryNotFoundException(dir.toFile());
        }
        return RepositoryCache.FileKey.exact(gitDir, FS.DETECTED).open(true);
    }
}
