package io.conflux.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Conflux checkout is: the system property {@code conflux.home} (set by the {@code ./conflux} script),
 * else the current directory. The services' jars, {@code deploy/crds} and the examples are found from there.
 */
final class ProjectHome {
    private ProjectHome() {
    }

    /** @return the project root */
    static Path root() {
        String home = System.getProperty("conflux.home");
        Path root = home == null ? Path.of("").toAbsolutePath() : Path.of(home).toAbsolutePath();
        if (!Files.isDirectory(root.resolve("deploy/crds"))) {
            throw new IllegalStateException("not a Conflux checkout (no deploy/crds): " + root
                    + "; run from the project root or set -Dconflux.home");
        }
        return root;
    }
}
