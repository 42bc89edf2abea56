package io.conflux.applier.apply;

import io.conflux.model.kustomize.KubeConfigReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster an object is applied to: the management cluster, or — when {@code spec.kubeConfig.secretRef} is
 * set, as in Flux — the cluster of the kubeconfig stored in that Secret (key from {@code secretRef.key}, else
 * {@code value}, else {@code value.yaml}), in the Kustomization's namespace. Clients are cached per Secret
 * {@code resourceVersion}, so a rotated kubeconfig is picked up. Blocking.
 */
public final class TargetClusters implements AutoCloseable {
    private final KubernetesClient management;
    private final Map<String, Cached> remote = new ConcurrentHashMap<>();

    private record Cached(String resourceVersion, KubernetesClient client) {
    }

    /** @param management the management cluster's client */
    public TargetClusters(KubernetesClient management) {
        this.management = management;
    }

    /**
     * @param namespace  the Kustomization's namespace
     * @param kubeConfig {@code spec.kubeConfig}, or null for the management cluster
     * @return a client for the target cluster
     * @throws IllegalStateException when the Secret or its key is missing
     */
    public KubernetesClient forObject(String namespace, KubeConfigReference kubeConfig) {
        if (kubeConfig == null || kubeConfig.secretRef() == null) {
            return management;
        }
        String name = kubeConfig.secretRef().name();
        Secret secret = management.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null || secret.getData() == null) {
            throw new IllegalStateException("kubeconfig Secret '" + namespace + "/" + name + "' not found");
        }
        String key = kubeConfig.secretRef().key() != null ? kubeConfig.secretRef().key()
                : secret.getData().containsKey("value") ? "value" : "value.yaml";
        String encoded = secret.getData().get(key);
        if (encoded == null) {
            throw new IllegalStateException("kubeconfig Secret '" + namespace + "/" + name + "' has no key '" + key + "'");
        }
        String cacheKey = namespace + "/" + name;
        String version = secret.getMetadata().getResourceVersion();
        Cached cached = remote.get(cacheKey);
        if (cached != null && cached.resourceVersion().equals(version)) {
            return cached.client();
        }
        String kubeconfig = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
        Cached previous = remote.put(cacheKey, new Cached(version, client));
        if (previous != null) {
            previous.client().close();
        }
        return client;
    }

    @Override
    public void close() {
        remote.values().forEach(c -> c.client().close());
    }
}
