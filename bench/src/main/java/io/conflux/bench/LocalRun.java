package io.conflux.bench;

import io.conflux.cli.local.LocalInstallation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The local installation the benchmarks run on: what {@code conflux up} starts with the embedded defaults (the four services in one JVM, one replica
 * per service, the in-memory cluster turning workloads healthy at once), with the Git repositories under
 * {@code <work>/git/} reachable as {@code https://git.conflux.local/<name>} (a GitRepository names only http, https and
 * ssh URLs, so a local repository is reached through the operator's insteadOf rewrite, as {@code conflux up --repo}
 * does).
 */
final class LocalRun {
    /** How long each service may take to become ready: generous, since a loaded 2-core machine starts slowly. */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

    private LocalRun() {
    }

    /**
     * Starts the installation.
     *
     * @param project the Conflux checkout (its modules built)
     * @param work    the run's directory: data, logs, and the repositories under {@code git/}
     * @throws IllegalStateException when a part cannot start (see {@link LocalInstallation#start})
     */
    static LocalInstallation start(Path project, Path work) {
        return start(project, work, LocalInstallation.ONE_JVM_OPTIONS, true);
    }

    /**
     * Starts the installation with other options for the service JVMs.
     *
     * @param jvmOptions options of every service JVM (see {@link LocalInstallation.Options#jvmOptions()})
     * @param oneJvm     the four services in one JVM, as {@code conflux up} runs them by default (see
     *                   {@link LocalInstallation.Options#oneJvm()}), or each in its own
     * @throws IllegalStateException when a part cannot start (see {@link LocalInstallation#start})
     */
    static LocalInstallation start(Path project, Path work, List<String> jvmOptions, boolean oneJvm) {
        return LocalInstallation.start(new LocalInstallation.Options(project, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                READY_TIMEOUT).withOneJvm(oneJvm).withJvmOptions(jvmOptions));
    }
}
