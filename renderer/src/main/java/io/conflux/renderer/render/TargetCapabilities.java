package io.conflux.renderer.render;

import io.conflux.helm.Capabilities;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.service.KubeconfigClients;
import io.conflux.service.KubeconfigSecrets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code .Capabilities} of the cluster a HelmRelease is installed on, as helm-controller gets them from the Helm
 * action configuration of the release's REST client getter ({@code buildRESTClientGetter}): the management cluster's
 * discovery for a HelmRelease without {@code spec.kubeConfig}, else the discovery of the cluster of its kubeconfig
 * Secret, through service-common's {@link KubeconfigClients} (the applier's clients too, so both services reach the
 * same target; one client per version of the Secret, a rotated one closed only after the discovery reads still using
 * it). On a target cluster, discovery is read as helm-controller reads it: impersonating
 * {@code system:serviceaccount:<HelmRelease namespace>:<spec.serviceAccountName>}, or the configured default service
 * account when it names none ({@code kube.WithImpersonate}, {@code SetImpersonationConfig}), so a kubeconfig user that
 * may not impersonate that account gets no discovery (Helm's defaults, logged) just as the applier is refused. On the
 * management cluster discovery is read as the renderer, which has no right to impersonate there; every authenticated
 * user is served the same discovery (Kubernetes' {@code system:discovery} role), so the answer is helm-controller's.
 * Each target's and user's discovery is kept for {@code conflux.renderer.discovery-cache} ({@link ClusterCapabilities}).
 * Thread-safe; blocking.
 */
final class TargetCapabilities implements AutoCloseable {
    private final ClusterCapabilities management;
    private final KubeconfigClients clients;
    private final Optional<String> defaultServiceAccount;
    private final Duration cacheFor;
    /** Guarded by {@code this}: the discovery of each kubeconfig Secret ({@code namespace/name}) and user read with. */
    private final Map<String, Remote> remote = new HashMap<>();

    /**
     * @param management            the management cluster's discovery
     * @param clients               the target clusters' clients (closed with this)
     * @param defaultServiceAccount impersonated on a target when a HelmRelease names no {@code serviceAccountName}
     *                              ({@code conflux.renderer.default-service-account}, Flux's
     *                              {@code --default-service-account}), or empty
     * @param cacheFor              how long one read of a target's discovery is used
     *                              ({@code conflux.renderer.discovery-cache})
     */
    TargetCapabilities(ClusterCapabilities management, KubeconfigClients clients, Optional<String> defaultServiceAccount,
                       Duration cacheFor) {
        this.management = management;
        this.clients = clients;
        this.defaultServiceAccount = defaultServiceAccount.filter(s -> !s.isBlank());
        this.cacheFor = cacheFor;
    }

    /**
     * @param namespace          the HelmRelease's namespace (where its kubeconfig Secret and service account are)
     * @param kubeConfig         its {@code spec.kubeConfig}, or null
     * @param serviceAccountName its {@code spec.serviceAccountName}, or null/blank for the default
     * @return the target cluster's capabilities; Helm's defaults when its discovery cannot be read (logged)
     * @throws IllegalStateException when the kubeconfig Secret is missing, lacks its key or is refused (naming the
     *                               Secret, key and field, never a value)
     */
    Capabilities of(String namespace, KubeConfigReference kubeConfig, String serviceAccountName) {
        if (kubeConfig == null || kubeConfig.secretRef() == null && kubeConfig.configMapRef() == null) {
            return management.read();
        }
        Optional<String> account = serviceAccountName == null || serviceAccountName.isBlank()
                ? defaultServiceAccount : Optional.of(serviceAccountName);
        Optional<String> user = account.map(a -> KubeconfigClients.serviceAccountUser(namespace, a));
        try (KubeconfigClients.Lease lease = clients.lease(namespace, kubeConfig, user)) {
            String key = lease.cluster() + "|" + user.orElse("");
            Remote discovery;
            synchronized (this) {
                discovery = remote.get(key);
                if (discovery == null || !discovery.version.equals(lease.version())) {
                    discovery = new Remote(lease.version(), new ClusterCapabilities(null, cacheFor));
                    remote.put(key, discovery);
                }
            }
            return discovery.capabilities.read(lease.client());
        }
    }

    /** Closes the target clusters' clients. */
    @Override
    public synchronized void close() {
        remote.clear();
        clients.close();
    }

    private record Remote(String version, ClusterCapabilities capabilities) {
    }
}
