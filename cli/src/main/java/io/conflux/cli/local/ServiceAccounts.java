package io.conflux.cli.local;

import io.conflux.cli.install.ChartInstaller;
import io.conflux.cli.install.ConfluxChart;
import io.conflux.embedded.Authorizer;
import io.conflux.embedded.InMemoryKubernetes;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The services' identities on a local installation's in-memory cluster: the chart's ServiceAccounts, ClusterRoles,
 * Roles and bindings, with Kubernetes RBAC enforced from then on ({@link Authorizer#RBAC}), so that each service, run
 * with {@link InMemoryKubernetes#serviceAccountToken its ServiceAccount's token}, may do exactly what the chart grants
 * it on a real cluster. The admin token (the kubeconfig users and tests read with) keeps every right.
 */
final class ServiceAccounts {
    private static final Logger LOG = Logger.getLogger(ServiceAccounts.class);

    private ServiceAccounts() {
    }

    /**
     * Creates {@code namespace} if absent and applies the chart's RBAC objects for a release there, as
     * {@code conflux install} applies a chart ({@link ChartInstaller}), then enforces RBAC.
     *
     * @param cluster   the in-memory management cluster
     * @param objects   the chart's RBAC objects for a release in {@code namespace}: {@link ConfluxChart#rbac(String)},
     *                  as {@link io.conflux.cli.install.ChartRbacProcess} renders it
     * @param namespace the release namespace, e.g. {@code flux-system}
     * @return the RBAC objects applied
     * @throws IllegalStateException naming an object the API server refused
     */
    static List<Map<String, Object>> install(InMemoryKubernetes cluster, List<Map<String, Object>> objects,
                                             String namespace) {
        new ChartInstaller(cluster.client()).apply(namespace, objects, line -> LOG.debug(line));
        cluster.authorize(Authorizer.RBAC);
        return objects;
    }
}
