package io.conflux.cli;

import io.conflux.cli.ObjectCommands.Target;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code conflux suspend|resume kustomization|helmrelease|source git|source helm NAME [-n NAMESPACE]}: sets
 * {@code spec.suspend} with a JSON merge patch, as {@code flux suspend}/{@code flux resume}, and prints flux's
 * {@code ► suspending <Kind> <name> in <namespace> namespace} / {@code ✔ <Kind> suspended}. As {@code flux resume},
 * resume also sets {@code reconcile.fluxcd.io/requestedAt} so the object is reconciled at once, and waits for that
 * reconciliation's outcome like {@code conflux reconcile} ({@code --wait=false} returns at once, {@code --timeout}
 * bounds the wait, 5m0s by default). A missing object fails with the API server's {@code 404}. This class holds what both verbs share; it carries no
 * {@code @Command}, since picocli merges the annotations of superclasses and would list every kind twice.
 */
abstract class SuspendCommand implements ObjectCommands.Verb {
    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    /** @return the {@code spec.suspend} value to set */
    abstract boolean suspend();

    /** @return how long to wait for the reconciliation that follows, or null not to wait */
    Duration waitFor() {
        return null;
    }

    @Override
    public int run(Target target, CommandSpec spec) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String kind = target.kind().kind();
        out.println("► " + (suspend() ? "suspending " : "resuming ") + kind + " " + target.name() + " in "
                + target.namespace() + " namespace");
        out.flush();
        try (KubernetesClient client = kubeconfig.client()) {
            String requestedAt = suspend() ? null : Instant.now().toString();
            Map<String, Object> patch = new LinkedHashMap<>();
            if (requestedAt != null) {
                patch.put("metadata", Map.of("annotations", Map.of(ReconcileCommand.REQUESTED_AT, requestedAt)));
            }
            patch.put("spec", Map.of("suspend", suspend()));
            target.kind().resource(client, target.namespace(), target.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
            out.println("✔ " + kind + (suspend() ? " suspended" : " resumed"));
            out.flush();
            Duration limit = waitFor();
            if (requestedAt == null || limit == null) {
                return 0;
            }
            return ReconcileCommand.awaitOutcome(client, target, requestedAt, limit, out, spec.commandLine().getErr());
        }
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

    /** {@code conflux resume KIND NAME}: {@code spec.suspend: false}, a reconcile request, and its outcome. */
    @Command(name = "resume", description = "Resume reconciliation (spec.suspend: false) and wait for its outcome.",
            subcommands = {ObjectCommands.KustomizationCommand.class, ObjectCommands.HelmReleaseCommand.class,
                    ObjectCommands.SourceCommand.class})
    static final class Resume extends SuspendCommand {
        @Option(names = "--wait", scope = ScopeType.INHERIT, negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "wait for the reconciliation that follows (default: true; --wait=false or --no-wait: don't)")
        boolean await = true;
        @Option(names = "--timeout", scope = ScopeType.INHERIT, converter = GoDurationConverter.class,
                paramLabel = "DURATION", description = "how long to wait, a Go duration (default: 5m0s)")
        Duration timeout;

        @Override
        boolean suspend() {
            return false;
        }

        @Override
        Duration waitFor() {
            return !await ? null : timeout != null ? timeout : Duration.ofMinutes(5);
        }
    }
}
