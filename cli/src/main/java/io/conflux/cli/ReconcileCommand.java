package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.cli.ObjectCommands.Target;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.GoDuration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code conflux reconcile kustomization|helmrelease|source git|source helm NAME [-n NAMESPACE] [--timeout 5m0s]}:
 * asks for a run now and waits for its outcome, as {@code flux reconcile} does. The
 * {@value #REQUESTED_AT} annotation is set to the current time (RFC 3339); the object's controller copies it to
 * {@code status.lastHandledReconcileAt} when it has handled the request, and the {@code Ready} condition written
 * with it is the outcome: {@code Ready=True} prints {@code ✔ <Kind> reconciliation completed} and
 * {@code ✔ applied revision <rev>} (sources: {@code fetched revision}) and exits 0; otherwise
 * {@code ✗ <Kind> reconciliation failed: '<Ready message>'} and exit code 1. A suspended object is refused
 * ({@code resource is suspended}), as flux does. With {@code kustomization --with-source} the Kustomization's
 * GitRepository is reconciled (and waited for) first.
 */
@Command(name = "reconcile", description = "Trigger a reconciliation now and wait for its outcome (like flux reconcile).",
        subcommands = {ObjectCommands.KustomizationCommand.class, ObjectCommands.HelmReleaseCommand.class,
                ObjectCommands.SourceCommand.class})
final class ReconcileCommand implements ObjectCommands.Verb {
    /** The annotation {@code flux reconcile} sets. */
    static final String REQUESTED_AT = Kustomization.REQUESTED_AT_ANNOTATION;

    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();
    @Option(names = "--timeout", scope = ScopeType.INHERIT, converter = GoDurationConverter.class, paramLabel = "DURATION",
            description = "how long to wait for the reconciliation, a Go duration (default: 5m0s)")
    Duration timeout;

    @Override
    public int run(Target target, CommandSpec spec) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Duration limit = timeout != null ? timeout : Duration.ofMinutes(5);
        try (KubernetesClient client = kubeconfig.client()) {
            if (target.withSource()) {
                Target source = source(client, target);
                int sourceResult = reconcile(client, source, limit, out, err);
                if (sourceResult != 0) {
                    return sourceResult;
                }
            }
            return reconcile(client, target, limit, out, err);
        }
    }

    /** @return the GitRepository a Kustomization's {@code spec.sourceRef} names (its namespace defaults to the Kustomization's) */
    private static Target source(KubernetesClient client, Target target) {
        JsonNode ks = existing(client, target);
        JsonNode ref = ks.at("/spec/sourceRef");
        String kind = ref.path("kind").asText("");
        if (!FluxObjectKind.GIT_REPOSITORY.kind().equals(kind)) {
            throw new IllegalArgumentException("--with-source supports GitRepository sources; " + target + " uses " + kind);
        }
        return new Target(FluxObjectKind.GIT_REPOSITORY, ref.path("namespace").asText(target.namespace()),
                ref.path("name").asText(), false);
    }

    private int reconcile(KubernetesClient client, Target target, Duration limit, PrintWriter out, PrintWriter err)
            throws InterruptedException, TimeoutException {
        if (existing(client, target).at("/spec/suspend").asBoolean(false)) {
            throw new IllegalStateException(target + ": resource is suspended");
        }
        out.println("► annotating " + target.kind().kind() + " " + target.name() + " in " + target.namespace() + " namespace");
        out.flush();
        String requestedAt = requestReconciliation(client, target);
        out.println("✔ " + target.kind().kind() + " annotated");
        return awaitOutcome(client, target, requestedAt, limit, out, err);
    }

    /**
     * Waits until the object has handled the request of {@code requestedAt} and prints its outcome as flux does:
     * {@code ◎ waiting for <Kind> reconciliation}, then {@code ✔ <Kind> reconciliation completed} and its success
     * message, or {@code ✗ <Kind> reconciliation failed: '<Ready message>'} on the error writer.
     *
     * @return 0 when {@code Ready=True}, 1 otherwise
     * @throws TimeoutException      when {@code limit} passes before the object handled the request
     * @throws IllegalStateException when the object has no Ready condition
     */
    static int awaitOutcome(KubernetesClient client, Target target, String requestedAt, Duration limit, PrintWriter out,
                            PrintWriter err) throws InterruptedException, TimeoutException {
        out.println("◎ waiting for " + target.kind().kind() + " reconciliation");
        out.flush();
        JsonNode handled = awaitHandled(client, target, requestedAt, limit);
        JsonNode ready = readyCondition(handled);
        if (ready == null) {
            throw new IllegalStateException(target + ": status can't be determined (no Ready condition)");
        }
        if (!"True".equals(ready.path("status").asText())) {
            err.println("✗ " + target.kind().kind() + " reconciliation failed: '" + ready.path("message").asText("") + "'");
            err.flush();
            return 1;
        }
        out.println("✔ " + target.kind().kind() + " reconciliation completed");
        out.println("✔ " + target.kind().successMessage(handled));
        out.flush();
        return 0;
    }

    /**
     * Sets {@value #REQUESTED_AT} to the current time with a JSON merge patch.
     *
     * @return the value set (RFC 3339 with fractional seconds, as flux's {@code time.RFC3339Nano})
     */
    static String requestReconciliation(KubernetesClient client, Target target) {
        String now = Instant.now().toString();
        String patch = Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(REQUESTED_AT, now))));
        target.kind().resource(client, target.namespace(), target.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        return now;
    }

    /**
     * Reads the object until its {@code status.lastHandledReconcileAt} equals {@code requestedAt}: every second, or
     * every twentieth of {@code limit} when that is shorter (at least every 50 ms).
     *
     * @return the object as read then
     * @throws TimeoutException         when {@code limit} passes first
     * @throws IllegalArgumentException when the object is gone
     */
    static JsonNode awaitHandled(KubernetesClient client, Target target, String requestedAt, Duration limit)
            throws InterruptedException, TimeoutException {
        long poll = Math.max(50, Math.min(1000, limit.toMillis() / 20));
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            JsonNode object = existing(client, target);
            String handled = object.at("/status/lastHandledReconcileAt").asText(null);
            if (requestedAt.equals(handled)) {
                return object;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("timed out after " + format(limit) + " waiting for " + target
                        + " to handle the reconcile request of " + requestedAt + " (status.lastHandledReconcileAt is "
                        + (handled == null ? "unset" : handled) + ")");
            }
            Thread.sleep(Math.max(1, Math.min(poll, left / 1_000_000)));
        }
    }

    /** @return Go's form for whole seconds ({@code 5m0s}), milliseconds otherwise ({@code 300ms}) */
    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? GoDuration.format(d) : d.toMillis() + "ms";
    }

    private static JsonNode existing(KubernetesClient client, Target target) {
        JsonNode object = target.kind().read(client, target.namespace(), target.name());
        if (object == null) {
            throw new IllegalArgumentException(target + " not found");
        }
        return object;
    }

    private static JsonNode readyCondition(JsonNode object) {
        for (JsonNode c : object.at("/status/conditions")) {
            if ("Ready".equals(c.path("type").asText())) {
                return c;
            }
        }
        return null;
    }
}
