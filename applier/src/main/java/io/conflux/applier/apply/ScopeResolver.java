package io.conflux.applier.apply;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a kind is namespaced on a cluster, as the REST mapper of {@code github.com/fluxcd/pkg/ssa} decides it: from
 * the CustomResourceDefinitions this applier just applied ({@link #learn}, so a custom resource whose CRD is in the
 * same bundle needs no discovery round trip, which a real API server may not answer yet), else from API discovery
 * ({@code /api/v1}, {@code /apis/<group>/<version>}), cached per client and group-version. A kind the cluster does
 * not serve is an error naming it, as kubectl's "no matches for kind" is.
 */
public final class ScopeResolver {
    private final KubernetesClient client;
    private final Map<String, APIResourceList> discovery = new ConcurrentHashMap<>();
    /** {@code group/version/Kind} to namespaced, learnt from applied CRDs. */
    private final Map<String, Boolean> learnt = new ConcurrentHashMap<>();

    /** @param client the target cluster */
    public ScopeResolver(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Learns the kind a CustomResourceDefinition declares: {@code spec.group}, {@code spec.names.kind},
     * {@code spec.scope} ({@code Namespaced} or {@code Cluster}) for every version in {@code spec.versions}
     * (or the legacy {@code spec.version}). Anything else is ignored.
     *
     * @param crd a CustomResourceDefinition as a JSON tree
     */
    public void learn(Map<String, Object> crd) {
        if (!"CustomResourceDefinition".equals(crd.get("kind")) || !(crd.get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("names") instanceof Map<?, ?> names) || spec.get("group") == null || names.get("kind") == null) {
            return;
        }
        boolean namespaced = !"Cluster".equals(spec.get("scope"));
        List<?> versions = spec.get("versions") instanceof List<?> l ? l : List.of();
        for (Object v : versions) {
            if (v instanceof Map<?, ?> version && version.get("name") != null) {
                learnt.put(spec.get("group") + "/" + version.get("name") + "/" + names.get("kind"), namespaced);
            }
        }
        if (spec.get("version") != null) {
            learnt.put(spec.get("group") + "/" + spec.get("version") + "/" + names.get("kind"), namespaced);
        }
    }

    /**
     * @return true when {@code kind} of {@code apiVersion} is namespaced
     * @throws IllegalStateException when the cluster does not serve the kind
     */
    public boolean namespaced(String apiVersion, String kind) {
        Boolean known = learnt.get(apiVersion + "/" + kind);
        if (known != null) {
            return known;
        }
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
