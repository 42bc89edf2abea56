package io.conflux.cli;

import io.conflux.git.GitUrlRewriter;
import io.conflux.git.KustomizeRemoteFetcher;
import io.conflux.helm.KustomizeChartInflator;
import io.conflux.kustomize.ExecFunctions;
import io.conflux.kustomize.ExecPlugins;
import io.conflux.kustomize.RemoteTarget;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.LoadRestrictions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
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
     * {@code build DIR [--load-restrictor=LoadRestrictionsRootOnly|LoadRestrictionsNone] [--enable-helm]
     * [--enable-alpha-plugins --enable-exec]}, with the flags of {@code kustomize build} (kustomize/commands/build:
     * flagloadrestrictor.go, flagenablehelm.go, flagsforfunctions.go).
     *
     * <ul>
     *   <li>{@code --load-restrictor}: {@code LoadRestrictionsRootOnly} (the default) or {@code LoadRestrictionsNone};
     *       any other value is refused with kustomize's message and exit code 2.</li>
     *   <li>{@code --enable-helm}: {@code helmCharts} (and the legacy {@code helmChartInflationGenerator}) are
     *       inflated with the embedded Helm library ({@link KustomizeChartInflator}; charts missing under the chart
     *       home are pulled from their {@code repo} into it, as {@code helm pull --untar}, with a
     *       {@value #HELM_TIMEOUT_SECONDS}s limit per request, archives cached in a temporary directory deleted after
     *       the build). Without it such a kustomization fails naming the file.</li>
     *   <li>{@code --helm-kube-version}, {@code --helm-api-versions}: defaults for every chart's {@code kubeVersion} and
     *       {@code apiVersions} ({@link HelmFlagDefaults}); {@code --helm-debug} is accepted and has no effect (said
     *       on standard error).</li>
     *   <li>{@code --helm-command}: refused (exit code 2): no helm binary is ever run, and running the embedded Helm
     *       instead of the binary a script names (often to pin a Helm version) would silently give other output.</li>
     *   <li>{@code --enable-alpha-plugins} with {@code --enable-exec}: exec KRM functions of {@code generators} and
     *       {@code transformers} run ({@link ExecFunctions}, {@value #EXEC_TIMEOUT_SECONDS}s each); either flag alone
     *       leaves them refused, as kustomize. They run commands from the tree: use only on trees you trust.
     *       Container functions are always refused (no container runtime).</li>
     *   <li>{@code --enable-alpha-plugins} alone also runs kustomize's legacy exec plugins: a non-builtin
     *       {@code generators}/{@code transformers} entry runs
     *       {@code <plugin home>/<group>/<version>/<lowercase kind>/<Kind>} ({@link ExecPlugins}, the plugin home
     *       found as kustomize does: {@code $KUSTOMIZE_PLUGIN_HOME}, {@code $XDG_CONFIG_HOME/kustomize/plugin},
     *       {@code ~/.config/kustomize/plugin}, {@code ~/kustomize/plugin}; {@value #EXEC_TIMEOUT_SECONDS}s each). Go
     *       plugins ({@code .so}) are refused. Without the flag such an entry fails with kustomize's "external plugins
     *       disabled" error.</li>
     *   <li>{@code DIR} may be a remote root, as {@code kustomize build URL}: the repository is cloned and the
     *       kustomization at the URL's path is built ({@code Kustomizer#buildRemote}).</li>
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
        /** The limit for each chart repository request under {@code --enable-helm} (Flux's HelmRepository default). */
        static final int HELM_TIMEOUT_SECONDS = 60;
        /** How long one exec KRM function or legacy exec plugin may run. */
        static final int EXEC_TIMEOUT_SECONDS = 300;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", defaultValue = ".", description = "directory holding a kustomization file, or a"
                + " remote root (kustomize's URL forms, e.g. https://github.com/org/repo//path?ref=v1)")
        String dir;

        @Option(names = "--load-restrictor", defaultValue = "LoadRestrictionsRootOnly", paramLabel = "RESTRICTOR",
                description = "LoadRestrictionsRootOnly (default): files must lie under the kustomization's directory;"
                        + " LoadRestrictionsNone: files may be loaded from anywhere (what Flux uses)")
        String loadRestrictor;

        @Option(names = "--enable-helm",
                description = "inflate helmCharts with the embedded Helm library (no helm binary runs)")
        boolean enableHelm;

        @Option(names = "--helm-kube-version", paramLabel = "VERSION", defaultValue = "",
                description = "with --enable-helm: the Kubernetes version charts see (Capabilities.KubeVersion) unless"
                        + " a chart sets kubeVersion")
        String helmKubeVersion;

        @Option(names = "--helm-api-versions", paramLabel = "GROUP/VERSION", split = ",",
                description = "with --enable-helm: API versions added to Helm's defaults (Capabilities.APIVersions)"
                        + " unless a chart sets apiVersions")
        java.util.List<String> helmApiVersions = new java.util.ArrayList<>();

        @Option(names = "--helm-debug",
                description = "accepted for kustomize compatibility; no effect (the embedded Helm prints no debug"
                        + " output), said on standard error")
        boolean helmDebug;

        @Option(names = "--enable-alpha-plugins",
                description = "run legacy exec plugins from the plugin home ($KUSTOMIZE_PLUGIN_HOME,"
                        + " $XDG_CONFIG_HOME/kustomize/plugin, ~/.config/kustomize/plugin); with --enable-exec, exec KRM"
                        + " functions run too (commands: only for trees you trust)")
        boolean enableAlphaPlugins;

        @Option(names = "--enable-exec",
                description = "with --enable-alpha-plugins: run exec KRM functions (commands from the tree:"
                        + " only for trees you trust)")
        boolean enableExec;

        @Option(names = "--helm-command", paramLabel = "PATH",
                description = "refused: conflux runs no helm binary")
        String helmCommand;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (helmCommand != null) {
                err.println("Error: --helm-command is not supported: conflux kustomize build runs no helm binary"
                        + " (--enable-helm inflates helmCharts with the embedded Helm library)");
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
            Kustomizer kustomizer = Kustomizer.create().withLoadRestrictions(restrictions)
                    .withRemoteFetcher(new KustomizeRemoteFetcher(GitUrlRewriter.none(),
                            Duration.ofSeconds(REMOTE_TIMEOUT_SECONDS), REMOTE_MAX_BYTES, true));
            if (enableAlphaPlugins) {
                kustomizer = kustomizer.withExecPlugins(
                        ExecPlugins.fromEnvironment(System.getenv(), Duration.ofSeconds(EXEC_TIMEOUT_SECONDS)));
            }
            if (enableAlphaPlugins && enableExec) {
                kustomizer = kustomizer.withExecFunctions(
                        ExecFunctions.enabled(Duration.ofSeconds(EXEC_TIMEOUT_SECONDS)));
            }
            Path helmCache = null;
            try {
                if (enableHelm) {
                    helmCache = Files.createTempDirectory("conflux-kustomize-helm-");
                    kustomizer = kustomizer.withChartInflator(new HelmFlagDefaults(
                            new KustomizeChartInflator(helmCache, Duration.ofSeconds(HELM_TIMEOUT_SECONDS)),
                            helmKubeVersion, helmApiVersions));
                }
                if (helmDebug) {
                    err.println("Note: --helm-debug has no effect: the embedded Helm prints no debug output");
                    err.flush();
                }
                out.print((RemoteTarget.looksRemote(dir) ? kustomizer.buildRemote(dir)
                        : kustomizer.build(Path.of(dir).toAbsolutePath().normalize())).toYaml());
                out.flush();
                return 0;
            } catch (KustomizeException e) {
                err.println("Error: " + e.getMessage());
                err.flush();
                return 1;
            } catch (IOException e) {
                err.println("Error: cannot create a temporary directory for Helm charts: " + e.getMessage());
                err.flush();
                return 1;
            } finally {
                if (helmCache != null) {
                    deleteTree(helmCache);
                }
            }
        }

        private static void deleteTree(Path root) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover cache directory in the temporary directory is harmless
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
