package io.conflux.cli;

import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.ResourceInventory.ResourceRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code conflux tree kustomization NAME}: the objects a Kustomization applied, from its {@code status.inventory},
 * descending into the Kustomizations it applied — like {@code flux tree kustomization}.
 */
@Command(name = "tree", description = "Print the objects a Kustomization manages, recursively.")
final class TreeCommand implements Callable<Integer> {
    @Mixin
    ObjectArguments object = new ObjectArguments();
    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();

    @Override
    public Integer call() {
        if (FluxKinds.type(object.kind) != Kustomization.class) {
            throw new IllegalArgumentException("tree supports kustomization");
        }
        try (KubernetesClient client = kubeconfig.client()) {
            System.out.println("Kustomization/" + object.namespace + "/" + object.name);
            print(client, object.namespace, object.name, "", 0);
        }
        return 0;
    }

    private static void print(KubernetesClient client, String namespace, String name, String indent, int depth) {
        Kustomization k = client.resources(Kustomization.class).inNamespace(namespace).withName(name).get();
        if (k == null || k.getStatus() == null || k.getStatus().inventory() == null || depth > 20) {
            return;
        }
        List<ResourceRef> entries = k.getStatus().inventory().entries();
        for (int i = 0; i < entries.size(); i++) {
            boolean last = i == entries.size() - 1;
            String[] id = entries.get(i).id().split("_", -1);
            String ns = id[0];
            String subject = id[3] + "/" + (ns.isEmpty() ? "" : ns + "/") + id[1];
            System.out.println(indent + (last ? "└── " : "├── ") + subject);
            if ("Kustomization".equals(id[3]) && Kustomization.GROUP.equals(id[2])) {
                print(client, ns, id[1], indent + (last ? "    " : "│   "), depth + 1);
            }
        }
    }
}
