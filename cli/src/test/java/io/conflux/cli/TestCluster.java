package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An in-memory management cluster with Conflux's CRDs and the namespaces {@code flux-system} and {@code apps}, a
 * kubeconfig for it, and a way to run {@code conflux} commands against it and capture what they print.
 */
final class TestCluster implements AutoCloseable {
    private final InMemoryKubernetes kube;
    final KubernetesClient client;
    final Path kubeconfig;

    /** What a command returned and printed. */
    record Run(int exitCode, String out, String err) {
    }

    TestCluster(Path dir) {
        kube = InMemoryKubernetes.start();
        client = kube.client();
        kube.installCrds(Path.of("..", "deploy", "crds"));
        for (String ns : List.of("flux-system", "apps")) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        kubeconfig = kube.writeKubeconfig(dir.resolve("kubeconfig"));
    }

    /** Creates an object from YAML (any kind whose CRD is installed). */
    void create(String yaml) {
        client.resource(yaml).create();
    }

    /** Merge-patches the object's status subresource with {@code {"status": <statusJson>}}. */
    void patchStatus(FluxObjectKind kind, String namespace, String name, String statusJson) {
        kind.resource(client, namespace, name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + statusJson + "}");
    }

    /** @return the object as JSON, null when missing */
    JsonNode read(FluxObjectKind kind, String namespace, String name) {
        return kind.read(client, namespace, name);
    }

    /** Runs {@code conflux ARGS --kubeconfig <this cluster>} (the option is inherited by every subcommand). */
    Run conflux(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--kubeconfig");
        all.add(kubeconfig.toString());
        return run(all.toArray(String[]::new));
    }

    /** Runs {@code conflux ARGS} as given. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * Runs {@code action} while a thread plays the controller of one object: each time the object carries a
     * {@code reconcile.fluxcd.io/requestedAt} it has not handled, it merge-patches the status {@code answer} computes
     * from the requested value.
     */
    <T> T answering(FluxObjectKind kind, String namespace, String name, Function<String, String> answer,
                    Supplier<T> action) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    JsonNode o = read(kind, namespace, name);
                    String requested = o == null ? null
                            : o.at("/metadata/annotations").path(ReconcileCommand.REQUESTED_AT).asText(null);
                    if (requested != null && !requested.equals(o.at("/status/lastHandledReconcileAt").asText(null))) {
                        patchStatus(kind, namespace, name, answer.apply(requested));
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (KubernetesClientException e) {
                    if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                        return; // stopped in the middle of a request
                    }
                    failure.set(e); // e.g. a status the API server refuses (422): fail the test with it, not a timeout
                    return;
                }
            }
        }, "test-controller-" + name);
        thread.setDaemon(true);
        thread.start();
        try {
            return action.get();
        } finally {
            thread.interrupt();
            thread.join(5000);
            if (failure.get() != null) {
                throw new AssertionError("the stand-in controller of " + name + " failed", failure.get());
            }
        }
    }

    /**
     * @param revision the artifact's revision
     * @return a {@code "artifact": {...}} member with every field Flux's source schemas require ({@code digest},
     *         {@code lastUpdateTime}, {@code path}, {@code revision}, {@code url}): the API server refuses a status
     *         whose artifact lacks one (422), as kube-apiserver does under Flux's CRDs
     */
    static String artifact(String revision) {
        return "\"artifact\":{\"revision\":\"" + revision + "\",\"digest\":\"sha256:" + "0".repeat(64)
                + "\",\"lastUpdateTime\":\"2024-05-01T10:00:00Z\",\"path\":\"gitrepository/flux-system/podinfo/"
                + "0".repeat(64) + ".tar.gz\",\"url\":\"http://renderer.conflux/artifacts/x.tar.gz\"}";
    }

    /** @return a status JSON with {@code lastHandledReconcileAt} and a Ready condition, plus {@code extra} fields */
    static String status(String requestedAt, boolean ready, String message, String extra) {
        return "{\"lastHandledReconcileAt\":\"" + requestedAt + "\"," + (extra.isEmpty() ? "" : extra + ",")
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False")
                + "\",\"reason\":\"" + (ready ? "ReconciliationSucceeded" : "BuildFailed") + "\",\"message\":\""
                + message + "\",\"lastTransitionTime\":\"2024-05-01T10:00:00Z\"}]}";
    }

    @Override
    public void close() {
        kube.close();
    }
}
