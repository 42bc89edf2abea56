package io.conflux.cli;

import io.conflux.git.GitUrlRewriter;
import io.conflux.git.KustomizeRemoteFetcher;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.LoadRestrictions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conflux kustomize build DIR}: prints what {@code kubectl kustomize DIR} prints, with the Java engine. */
@Command(name = "kustomize", description = "kustomize, in-process.", subcommands = KustomizeCommand.Build.class)
final class KustomizeCommand {

    /**
     * {@code build DIR [--load-restrictor=LoadRestrictionsRootOnly|LoadRestrictionsNone] [--enable-helm]}, with the
     * flags of {@code kustomize build} (kustomize/commands/build: flagloadrestrictor.go, flagenablehelm.go).
     *
     * <ul>
     *   <li>{@code --load-restrictor}: {@code LoadRestrictionsRootOnly} (the default) or {@code LoadRestrictionsNone};
     *       any other value is refused with kustomize's message and exit code 2.</li>
     *   <li>{@code --enable-helm}: accepted, so scripts written for kustomize run unchanged; the engine has no Helm
     *       chart inflation, so a kustomization with {@code helmCharts} still fails, naming the file.</li>
     *   <li>{@code --helm-command}: refused (exit code 2): no helm binary is ever run.</li>
     *   <li>Remote bases, components and resource URLs are fetched, as kustomize does (kustomize has no flag to turn
     *       them off): anonymously with JGit and the JDK's HTTP client ({@code KustomizeRemoteFetcher}), each fetch
     *       bounded by the target's {@code ?timeout=} (at most {@value #REMOTE_TIMEOUT_SECONDS} s) and
     *       {@value #REMOTE_MAX_BYTES} bytes; {@code file://} repositories are allowed, as in kustomize.</li>
     * </ul>
     * Exit codes: 0 built (stream on standard output), 1 the build failed (error on standard error), 2 bad flags.
     */
    @Command(name = "build", description = "Build a kustomization directory and print the YAML stream.")
    static final class Build implements Callable<Integer> {
        /** Upper bound of one remote fetch, seconds (kustomize's own default per clone is 27 s). */
        static final int REMOTE_TIMEOUT_SECONDS = 300;
        /** Bound of the bytes one remote fetch receives. */
        static final long REMOTE_MAX_BYTES = 512L * 1024 * 1024;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", defaultValue = ".", description = "directory holding a kustomization file")
        Path dir;

        @Option(names = "--load-restrictor", defaultValue = "LoadRestrictionsRootOnly", paramLabel = "RESTRICTOR",
                description = "LoadRestrictionsRootOnly (default): files must lie under the kustomization's directory;"
                        + " LoadRestrictionsNone: files may be loaded from anywhere (what Flux uses)")
        String loadRestrictor;

        @Option(names = "--enable-helm",
                description = "accepted for kustomize compatibility; helmCharts are not inflated by this engine")
        boolean enableHelm;

        @Option(names = "--helm-command", paramLabel = "PATH",
                description = "refused: conflux runs no helm binary")
        String helmCommand;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (helmCommand != null) {
                err.println("Error: --helm-command is not supported: conflux kustomize build runs no helm binary"
                        + " (and inflates no helmCharts; render charts with a HelmRelease)");
                err.flush();
                return CommandLine.ExitCode.USAGE;
            }
            LoadRestrictions restrictions = loadRestrictions(loadRestrictor);
            if (restrictions == null) {
                err.println("Error: illegal flag value --load-restrictor " + loadRestrictor
                        + "; legal values: [LoadRestrictionsRootOnly LoadRestrictionsNone]");
                err.flush();
                return CommandLine.ExitCode.USAGE;
            }
            try {
                out.print(Kustomizer.create().withLoadRestrictions(restrictions)
                        .withRemoteFetcher(new KustomizeRemoteFetcher(GitUrlRewriter.none(),
                                Duration.ofSeconds(REMOTE_TIMEOUT_SECONDS), REMOTE_MAX_BYTES, true))
                        .build(dir.toAbsolutePath().normalize()).toYaml());
                out.flush();
                return 0;
            } catch (KustomizeException e) {
                err.println("Error: " + e.getMessage());
                err.flush();
                return 1;
            }
        }

        /**
         * kustomize's reading of the flag (validateFlagLoadRestrictor): the two names, or empty for the default
         * ({@code none}, which getFlagLoadRestrictorValue would take, is refused by the validation before it).
         *
         * @return the restrictions, or null for an illegal value
         */
        static LoadRestrictions loadRestrictions(String value) {
            return switch (value) {
                case "LoadRestrictionsRootOnly", "" -> LoadRestrictions.ROOT_ONLY;
                case "LoadRestrictionsNone" -> LoadRestrictions.NONE;
                default -> null;
            };
        }
    }
}
