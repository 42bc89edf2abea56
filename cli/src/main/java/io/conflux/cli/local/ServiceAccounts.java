package io.conflux.cli.local;

import io.conflux.cli.install.ConfluxChart;
import io.conflux.embedded.Authorizer;
import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * The services' identities on a local installation's in-memory cluster: the chart's ServiceAccounts, ClusterRoles,
 * Roles and bindings, with Kubernetes RBAC enforced from then on ({@link Authorizer#RBAC}), so that each service, run
 * with {@link InMemoryKubernetes#serviceAccountToken its ServiceAccount's token}, may do exactly what the chart grants
 * it on a real cluster. The admin token (the kubeconfig users and tests read with) keeps every right.
 */
final class ServiceAccounts {
    private ServiceAccounts() {
    }

    /**
     * Creates {@code namespace} if absent, applies the chart's RBAC objects for a release there, then enforces RBAC.
     *
     * @param cluster   the in-memory management cluster
     * @param chart     the chart
     * @param namespace the release namespace, e.g. {@code flux-system}
     * @return the RBAC objects applied
     * @throws io.conflux.helm.HelmException when the chart does not render
     */
    static List<Map<String, Object>> install(InMemoryKubernetes cluster, ConfluxChart chart, String namespace) {
        KubernetesClient client = cluster.client();
        if (client.namespaces().withName(namespace).get() == null) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        }
        List<Map<String, Object>> objects = chart.rbac(namespace);
        for (Map<String, Object> object : objects) {
            GenericKubernetesResource resource = Serialization.jsonMapper().convertValue(object, GenericKubernetesResource.class);
            client.resource(resource).fieldManager("conflux").forceConflicts().serverSideApply();
        }
        cluster.authorize(Authorizer.RBAC);
        return objects;
    }
}
