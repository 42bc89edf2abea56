package io.conflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.KustomizationStatus;
import io.conflux.model.kustomize.ResourceInventory.ResourceRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conflux tree kustomization|helmrelease NAME}: the objects a Kustomization (or HelmRelease) applied,
 * descending into the Kustomizations and HelmReleases among them — like {@code flux tree kustomization}: the root as
 * {@code Kind/namespace/name}, then one {@code ├── Kind/namespace/name} line per entry ({@code Kind/name} for
 * cluster-scoped ones), children indented under their parent. A Kustomization's entries are its
 * {@code status.inventory}; a HelmRelease's come from the applier's inventory row
 * ({@code GET <applier-url>/api/inventory/HelmRelease/<namespace>/<name>}), because Flux's HelmRelease v2 status has
 * no inventory. An object without inventory shows no children; an applier that cannot be reached is named on stderr
 * and its HelmReleases show none; recursion stops at depth 20.
 */
@Command(name = "tree", description = "Print the objects a Kustomization or HelmRelease manages, recursively.")
final class TreeCommand implements Callable<Integer> {
    private static final int MAX_DEPTH = 20;

    @Spec
    CommandSpec spec;
    @Mixin
    ObjectArguments object = new ObjectArguments();
    @Mixin
    KubeconfigOption kubeconfig = new KubeconfigOption();
    @Option(names = "--applier-url", defaultValue = "http://127.0.0.1:9294",
            description = "the applier's HTTP address, where HelmReleases' inventories are read (default: ${DEFAULT-VALUE})")
    String applierUrl;

    @Override
    public Integer call() {
        FluxObjectKind kind = FluxKinds.of(object.kind);
        if (kind != FluxObjectKind.KUSTOMIZATION && kind != FluxObjectKind.HELM_RELEASE) {
            throw new IllegalArgumentException("tree supports kustomization and helmrelease");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (KubernetesClient client = kubeconfig.client()) {
            out.println(kind.kind() + "/" + object.namespace + "/" + object.name);
            print(client, out, kind.kind(), object.namespace, object.name, "", 0);
        }
        out.flush();
        return 0;
    }

    private void print(KubernetesClient client, PrintWriter out, String kind, String namespace, String name,
                              String indent, int depth) {
        if (depth > MAX_DEPTH) {
            return;
        }
        List<ResourceRef> entries = inventory(client, kind, namespace, name);
        for (int i = 0; i < entries.size(); i++) {
            boolean last = i == entries.size() - 1;
            String[] id = entries.get(i).id().split("_", -1);
            if (id.length != 4) {
                out.println(indent + (last ? "└── " : "├── ") + entries.get(i).id());
                continue;
            }
            String ns = id[0];
            String subject = id[3] + "/" + (ns.isEmpty() ? "" : ns + "/") + id[1];
            out.println(indent + (last ? "└── " : "├── ") + subject);
            boolean kustomization = Kustomization.KIND.equals(id[3]) && Kustomization.GROUP.equals(id[2]);
            boolean helmRelease = HelmRelease.KIND.equals(id[3]) && HelmRelease.GROUP.equals(id[2]);
            if (kustomization || helmRelease) {
                print(client, out, id[3], ns, id[1], indent + (last ? "    " : "│   "), depth + 1);
            }
        }
    }

    /** @return the inventory entries of the Kustomization or HelmRelease, empty when it or its inventory is missing */
    private List<ResourceRef> inventory(KubernetesClient client, String kind, String namespace, String name) {
        if (Kustomization.KIND.equals(kind)) {
            Kustomization k = client.resources(Kustomization.class).inNamespace(namespace).withName(name).get();
            KustomizationStatus status = k == null ? null : k.getStatus();
            return status == null || status.inventory() == null || status.inventory().entries() == null
                    ? List.of() : status.inventory().entries();
        }
        URI uri = URI.create(applierUrl + "/api/inventory/" + HelmRelease.KIND + "/" + namespace + "/" + name);
        try {
            JsonNode entries = ServiceApi.get(uri).path("entries");
            List<ResourceRef> refs = new ArrayList<>();
            for (JsonNode e : entries) {
                refs.add(new ResourceRef(e.path("id").asText(), e.path("v").asText()));
            }
            return refs;
        } catch (IOException e) {
            spec.commandLine().getErr().println("HelmRelease/" + namespace + "/" + name + ": inventory not read from "
                    + uri + ": " + e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
