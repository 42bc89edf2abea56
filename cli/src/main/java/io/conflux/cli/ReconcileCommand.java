package io.conflux.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code conflux reconcile kustomization|helmrelease|source NAME}: asks for a run now, as {@code flux reconcile}
 * does — by setting the {@code reconcile.fluxcd.io/requestedAt} annotation to the current time.
 */
@Command(name = "reconcile", description = "Trigger a reconciliation now (sets reconcile.fluxcd.io/requestedAt).")
final class ReconcileCommand implements Callable<Integer> {
    @Mixin
    ObjectArguments object = new ObjectArguments();
    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    @Override
    public Integer call() {
        String now = Instant.now().toString();
        String patch = io.fabric8.kubernetes.client.utils.Serialization.asJson(
                Map.of("metadata", Map.of("annotations", Map.of("reconcile.fluxcd.io/requestedAt", now))));
        try (KubernetesClient client = kubeconfig.client()) {
            client.resources(FluxKinds.type(object.kind)).inNamespace(object.namespace).withName(object.name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        }
        System.out.println("► annotating " + object.kind + " " + object.namespace + "/" + object.name + " with reconcile.fluxcd.io/requestedAt=" + now);
        return 0;
    }
}
