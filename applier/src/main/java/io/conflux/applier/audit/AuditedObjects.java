package io.conflux.applier.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the objects one stall-audit round decides on, as JSON by key: a kind the applier already caches (its
 * informers of Kustomizations and HelmReleases, once synced) is read from that cache, every other kind is listed in
 * all namespaces on the API server (a kind whose CRD is not installed, 404, is left out). Before, every kind was
 * listed every round, so at 10,000 Kustomizations each round moved a list of 10,000 through the API server, as
 * controller-runtime's controllers read their own informers' caches rather than list.
 */
final class AuditedObjects {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Lists one kind in all namespaces on the API server; throws the client's exception (404: not installed). */
    @FunctionalInterface
    interface Lister {
        /** @throws KubernetesClientException the API server's refusal */
        List<? extends HasMetadata> list(ResourceDefinitionContext kind);
    }

    private AuditedObjects() {
    }

    /**
     * @param kinds  the kinds audited, in order
     * @param cached the objects of a kind from a synced cache, by {@code kind}; empty when the kind is not cached or
     *               its cache has not synced yet
     * @param lister lists a kind not served from a cache
     * @return every object read, as JSON ({@code kind} and {@code metadata} included), by key, in the order of
     *         {@code kinds} and then of the cache or list
     * @throws KubernetesClientException a list's failure other than 404
     */
    static Map<ObjectKey, JsonNode> read(List<ResourceDefinitionContext> kinds,
                                         Function<String, Optional<List<? extends HasMetadata>>> cached, Lister lister) {
        Map<ObjectKey, JsonNode> objects = new LinkedHashMap<>();
        for (ResourceDefinitionContext kind : kinds) {
            Optional<List<? extends HasMetadata>> fromCache = cached.apply(kind.getKind());
            List<? extends HasMetadata> items;
            if (fromCache.isPresent()) {
                items = fromCache.get();
            } else {
                try {
                    items = lister.list(kind);
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 404) {
                        continue; // CRD (or this version) not installed: nothing of that kind to audit
                    }
                    throw e;
                }
            }
            for (HasMetadata o : items) {
                JsonNode json = JSON.valueToTree(o);
                if (!json.hasNonNull("kind")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("kind", kind.getKind());
                }
                objects.put(new ObjectKey(kind.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName()), json);
            }
        }
        return objects;
    }
}
