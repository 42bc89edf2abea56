package io.conflux.applier.apply;

import io.conflux.model.kustomize.KubeConfigReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster an object is applied to, and as whom: the management cluster, or — when {@code spec.kubeConfig.secretRef}
 * is set, as in Flux — the cluster of the kubeconfig stored in that Secret (key from {@code secretRef.key}, else
 * {@code value}, else {@code value.yaml}), in the object's namespace. When {@code spec.serviceAccountName} is set, or
 * else a default service account is configured (Flux's {@code --default-service-account}), requests to that cluster
 * impersonate {@code system:serviceaccount:<namespace>:<name>} with the groups {@code system:serviceaccounts} and
 * {@code system:serviceaccounts:<namespace>} (what the API server gives a service account's token), so the target
 * cluster's RBAC decides what the object may apply, prune and read. Clients are cached per Secret
 * {@code resourceVersion} and identity, so a rotated kubeconfig is picked up. Blocking.
 */
public final class TargetClusters implements AutoCloseable {
    private static final String MANAGEMENT = "management";

    private final KubernetesClient management;
    private final Optional<String> defaultServiceAccount;
    private final Map<String, Cached> remote = new ConcurrentHashMap<>();
    private final Map<String, KubernetesClient> impersonating = new ConcurrentHashMap<>();

    private record Cached(String resourceVersion, KubernetesClient client) {
    }

    /**
     * @param management            the management cluster's client
     * @param defaultServiceAccount the service account impersonated when an object names none, or empty for none
     */
    public TargetClusters(KubernetesClient management, Optional<String> defaultServiceAccount) {
        this.management = management;
        this.defaultServiceAccount = defaultServiceAccount.filter(s -> !s.isBlank());
    }

    /** @param management the management cluster's client; nothing is impersonated by default */
    public TargetClusters(KubernetesClient management) {
        this(management, Optional.empty());
    }

    /**
     * @param namespace  the object's namespace
     * @param kubeConfig {@code spec.kubeConfig}, or null for the management cluster
     * @return a client for the target cluster, without impersonation
     * @throws IllegalStateException when the Secret or its key is missing
     */
    public KubernetesClient forObject(String namespace, KubeConfigReference kubeConfig) {
        return base(namespace, kubeConfig).client();
    }

    /**
     * @param namespace          the object's namespace (also the service account's)
     * @param kubeConfig         {@code spec.kubeConfig}, or null for the management cluster
     * @param serviceAccountName {@code spec.serviceAccountName}, or null/blank for the configured default
     * @return a client for the target cluster acting as the service account, if any
     * @throws IllegalStateException when the Secret or its key is missing
     */
    public KubernetesClient forObject(String namespace, KubeConfigReference kubeConfig, String serviceAccountName) {
        Optional<String> account = serviceAccountName == null || serviceAccountName.isBlank()
                ? defaultServiceAccount : Optional.of(serviceAccountName);
        Base base = base(namespace, kubeConfig);
        if (account.isEmpty()) {
            return base.client();
        }
        String user = username(namespace, account.get());
        return impersonating.computeIfAbsent(base.identity() + "#" + user, k -> new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(base.client().getConfiguration())
                        .withImpersonateUsername(user)
                        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace)
                        .build())
                .build());
    }

    /** @return Kubernetes' user name of a service account, {@code system:serviceaccount:<namespace>:<name>} */
    public static String username(String namespace, String serviceAccount) {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    private record Base(String identity, KubernetesClient client) {
    }

    private Base base(String namespace, KubeConfigReference kubeConfig) {
        if (kubeConfig == null || kubeConfig.secretRef() == null) {
            return new Base(MANAGEMENT, management);
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
        // One client per Secret version, created atomically: two reconciles of the same cluster at once must share it
        // (a second client replacing the first would close it under the first one's feet).
        java.util.concurrent.atomic.AtomicReference<Cached> replaced = new java.util.concurrent.atomic.AtomicReference<>();
        Cached current = remote.compute(cacheKey, (k, cached) -> {
            if (cached != null && cached.resourceVersion().equals(version)) {
                return cached;
            }
            replaced.set(cached);
            String kubeconfig = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            return new Cached(version, new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build());
        });
        KubernetesClient client = current.client();
        Cached previous = replaced.get();
        if (previous != null) {
            String stale = cacheKey + "@" + previous.resourceVersion() + "#";
            impersonating.entrySet().removeIf(e -> {
                boolean old = e.getKey().startsWith(stale);
                if (old) {
                    e.getValue().close();
                }
                return old;
            });
            previous.client().close();
        }
        return new Base(cacheKey + "@" + version, client);
    }

    @Override
    public void close() {
        impersonating.values().forEach(KubernetesClient::close);
        remote.values().forEach(c -> c.client().close());
    }
}
