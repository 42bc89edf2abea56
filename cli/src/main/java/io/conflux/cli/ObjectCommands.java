package io.conflux.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The kind subcommands of {@code conflux reconcile|suspend|resume}, named as the {@code flux} CLI names them:
 * {@code kustomization} ({@code ks}), {@code helmrelease} ({@code hr}), {@code source git} and {@code source helm},
 * each taking {@code NAME} and {@code -n NAMESPACE} (default {@code flux-system}). A kind subcommand hands the
 * object to the nearest enclosing command that is a {@link Verb}, so one set of kind subcommands serves all verbs.
 */
final class ObjectCommands {
    private ObjectCommands() {
    }

    /** The object named on the command line. */
    record Target(FluxObjectKind kind, String namespace, String name, boolean withSource) {
        /** @return {@code Kind namespace/name}, for messages */
        @Override
        public String toString() {
            return kind.kind() + " " + namespace + "/" + name;
        }
    }

    /** A command ({@code reconcile}, {@code suspend}, {@code resume}) whose kind subcommands are these. */
    interface Verb {
        /**
         * Acts on the object.
         *
         * @param target the object; not checked to exist
         * @param spec   the kind subcommand that was run (its {@code commandLine()} gives the output and error writers)
         * @return the exit code
         * @throws Exception any failure, which {@link Main} prints as the command's error (exit code 1)
         */
        int run(Target target, CommandSpec spec) throws Exception;
    }

    /** What every kind subcommand takes: {@code NAME [-n NAMESPACE]}. */
    abstract static class KindCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME", description = "name of the object")
        String name;
        @Option(names = {"-n", "--namespace"}, defaultValue = "flux-system", description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;

        abstract FluxObjectKind kind();

        boolean withSource() {
            return false;
        }

        @Override
        public Integer call() throws Exception {
            return runVerb(spec, new Target(kind(), namespace, name, withSource()));
        }
    }

    /** Hands {@code target} to the nearest command above {@code spec} that is a {@link Verb}. */
    private static int runVerb(CommandSpec spec, Target target) throws Exception {
        for (CommandSpec s = spec.parent(); s != null; s = s.parent()) {
            if (s.userObject() instanceof Verb verb) {
                return verb.run(target, spec);
            }
        }
        throw new IllegalStateException(spec.qualifiedName() + " is not under reconcile, suspend or resume");
    }

    /** {@code kustomization NAME} (alias {@code ks}). */
    @Command(name = "kustomization", aliases = "ks", description = "a Kustomization")
    static final class KustomizationCommand extends KindCommand {
        @Option(names = "--with-source", description = "reconcile the Kustomization's GitRepository first (reconcile only)")
        boolean withSource;

        @Override
        FluxObjectKind kind() {
            return FluxObjectKind.KUSTOMIZATION;
        }

        @Override
        boolean withSource() {
            return withSource;
        }
    }

    /** {@code helmrelease NAME} (alias {@code hr}). */
    @Command(name = "helmrelease", aliases = "hr", description = "a HelmRelease")
    static final class HelmReleaseCommand extends KindCommand {
        @Override
        FluxObjectKind kind() {
            return FluxObjectKind.HELM_RELEASE;
        }
    }

    /**
     * {@code source git|helm NAME}. Conflux's earlier {@code source NAME} (a GitRepository) is still accepted, so
     * scripts written for it keep working; a GitRepository named {@code git} or {@code helm} needs {@code source git}.
     * {@code source} alone is a usage error.
     */
    @Command(name = "source", description = "a source: git (GitRepository) or helm (HelmRepository)",
            subcommands = {GitRepositoryCommand.class, HelmRepositoryCommand.class})
    static final class SourceCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", hidden = true,
                description = "name of a GitRepository (prefer: source git NAME)")
        String name;
        @Option(names = {"-n", "--namespace"}, defaultValue = "flux-system", hidden = true,
                description = "namespace (default: ${DEFAULT-VALUE})")
        String namespace;

        @Override
        public Integer call() throws Exception {
            if (name == null) {
                throw new ParameterException(spec.commandLine(), "Missing required subcommand: git or helm");
            }
            return runVerb(spec, new Target(FluxObjectKind.GIT_REPOSITORY, namespace, name, false));
        }
    }

    /** {@code source git NAME}: a GitRepository. */
    @Command(name = "git", description = "a GitRepository")
    static final class GitRepositoryCommand extends KindCommand {
        @Override
        FluxObjectKind kind() {
            return FluxObjectKind.GIT_REPOSITORY;
        }
    }

    /** {@code source helm NAME}: a HelmRepository. */
    @Command(name = "helm", description = "a HelmRepository")
    static final class HelmRepositoryCommand extends KindCommand {
        @Override
        FluxObjectKind kind() {
            return FluxObjectKind.HELM_REPOSITORY;
        }
    }
}
