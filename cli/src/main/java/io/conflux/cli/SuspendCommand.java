package io.conflux.cli;

import io.conflux.cli.ObjectCommands.Target;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code conflux suspend|resume kustomization|helmrelease|source git|source helm NAME [-n NAMESPACE]}: sets
 * {@code spec.suspend} with a JSON merge patch, as {@code flux suspend}/{@code flux resume}, and prints flux's
 * {@code ► suspending <Kind> <name> in <namespace> namespace} / {@code ✔ <Kind> suspended}. Unlike
 * {@code flux resume}, resume does not wait for the next reconciliation ({@code conflux reconcile} does). A missing
 * object fails with the API server's {@code 404}. This class holds what both verbs share; it carries no
 * {@code @Command}, since picocli merges the annotations of superclasses and would list every kind twice.
 */
abstract class SuspendCommand implements ObjectCommands.Verb {
    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    /** @return the {@code spec.suspend} value to set */
    abstract boolean suspend();

    @Override
    public int run(Target target, CommandSpec spec) {
        PrintWriter out = spec.commandLine().getOut();
        String kind = target.kind().kind();
        out.println("► " + (suspend() ? "suspending " : "resuming ") + kind + " " + target.name() + " in "
                + target.namespace() + " namespace");
        out.flush();
        try (KubernetesClient client = kubeconfig.client()) {
            target.kind().resource(client, target.namespace(), target.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend() + "}}");
        }
        out.println("✔ " + kind + (suspend() ? " suspended" : " resumed"));
        out.flush();
        return 0;
    }

    /** {@code conflux suspend KIND NAME}: {@code spec.suspend: true}. */
    @Command(name = "suspend", description = "Suspend reconciliation (spec.suspend: true).",
            subcommands = {ObjectCommands.KustomizationCommand.class, ObjectCommands.HelmReleaseCommand.class,
                    ObjectCommands.SourceCommand.class})
    static final class Suspend extends SuspendCommand {
        @Override
        boolean suspend() {
            return true;
        }
    }

    /** {@code conflux resume KIND NAME}: {@code spec.suspend: false}. */
    @Command(name = "resume", description = "Resume reconciliation (spec.suspend: false).",
            subcommands = {ObjectCommands.KustomizationCommand.class, ObjectCommands.HelmReleaseCommand.class,
                    ObjectCommands.SourceCommand.class})
    static final class Resume extends SuspendCommand {
        @Override
        boolean suspend() {
            return false;
        }
    }
}
