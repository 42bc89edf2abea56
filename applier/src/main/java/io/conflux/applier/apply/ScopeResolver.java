package io.conflux.applier.apply;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a kind is namespaced on a cluster, from API discovery ({@code /api/v1}, {@code /apis/<group>/<version>}),
 * cached per client and group-version. A kind the cluster does not serve is an error naming it, as kubectl's
 * "no matches for kind" is.
 */
public final class ScopeResolver {
    private final KubernetesClient client;
    private final Map<String, APIResourceList> discovery = new ConcurrentHashMap<>();

    /** @param client the target cluster */
    public ScopeResolver(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @return true when {@code kind} of {@code apiVersion} is namespaced
     * @throws IllegalStateException when the cluster does not serve the kind
     */
    public boolean namespaced(String apiVersion, String kind) {
        APIResourceList list = discovery.computeIfAbsent(apiVersion, gv -> {
            APIResourceList found = client.getApiResources(gv);
            return found == null ? new APIResourceList() : found;
        });
        if (list.getResources() != null) {
            for (APIResource r : list.getResources()) {
                if (kind.equals(r.getKind()) && !r.getName().contains("/")) {
                    return Boolean.TRUE.equals(r.getNamespaced());
                }
            }
        }
        discovery.remove(apiVersion);
        throw new IllegalStateException("no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
    }
}
