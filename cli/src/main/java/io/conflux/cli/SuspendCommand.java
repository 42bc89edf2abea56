package io.conflux.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code conflux suspend|resume KIND NAME}: sets {@code spec.suspend}, as {@code flux suspend}/{@code flux resume}. */
@Command(name = "suspend", description = "Suspend reconciliation (spec.suspend: true).")
class SuspendCommand implements Callable<Integer> {
    @Mixin
    ObjectArguments object = new ObjectArguments();
    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    boolean suspend() {
        return true;
    }

    @Override
    public Integer call() {
        try (KubernetesClient client = kubeconfig.client()) {
            client.resources(FluxKinds.type(object.kind)).inNamespace(object.namespace).withName(object.name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":" + suspend() + "}}");
        }
        System.out.println("► " + (suspend() ? "suspended " : "resumed ") + object.kind + " " + object.namespace + "/" + object.name);
        return 0;
    }

    /** {@code conflux resume KIND NAME}. */
    @Command(name = "resume", description = "Resume reconciliation (spec.suspend: false).")
    static final class Resume extends SuspendCommand {
        @Override
        boolean suspend() {
            return false;
        }
    }
}
