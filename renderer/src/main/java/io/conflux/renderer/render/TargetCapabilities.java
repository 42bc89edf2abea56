package io.conflux.renderer.render;

import io.conflux.helm.Capabilities;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.service.KubeconfigSecrets;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code .Capabilities} of the cluster a HelmRelease is installed on, as helm-controller gets them from the Helm
 * action configuration of the release's REST client getter: the management cluster's discovery for a HelmRelease
 * without {@code spec.kubeConfig}, else the discovery of the cluster of its kubeconfig Secret (read by service-common's
 * {@link KubeconfigSecrets}, the applier's reader too, so both services reach the same target). Each target's
 * discovery is kept for {@code conflux.renderer.discovery-cache} ({@link ClusterCapabilities}); a target's client is
 * built once per version of its Secret (a rotated kubeconfig gets a new client, the old one is closed). Discovery is read
 * with the kubeconfig's own identity, not {@code spec.serviceAccountName}'s. Thread-safe; blocking.
 */
final class TargetCapabilities implements AutoCloseable {
    private final ClusterCapabilities management;
    private final KubeconfigSecrets kubeconfigs;
    private final Duration cacheFor;
    /** Guarded by {@code this}: the discovery of each kubeconfig Secret ({@code namespace/name}). */
    private final Map<String, Remote> remote = new HashMap<>();

    /**
     * @param management  the management cluster's discovery
     * @param kubeconfigs reads kubeconfig Secrets ({@code conflux.renderer.insecure-kubeconfig-exec})
     * @param cacheFor    how long one read of a target's discovery is used ({@code conflux.renderer.discovery-cache})
     */
    TargetCapabilities(ClusterCapabilities management, KubeconfigSecrets kubeconfigs, Duration cacheFor) {
        this.management = management;
        this.kubeconfigs = kubeconfigs;
        this.cacheFor = cacheFor;
    }

    /**
     * @param namespace  the HelmRelease's namespace (where its kubeconfig Secret is)
     * @param kubeConfig its {@code spec.kubeConfig}, or null
     * @return the target cluster's capabilities; Helm's defaults when its discovery cannot be read (logged)
     * @throws IllegalStateException when the kubeconfig Secret is missing, lacks its key or is refused (naming the
     *                               Secret, key and field, never a value)
     */
    Capabilities of(String namespace, KubeConfigReference kubeConfig) {
        Optional<KubeconfigSecrets.Kubeconfig> read = kubeconfigs.read(namespace, kubeConfig);
        if (read.isEmpty()) {
            return management.read();
        }
        KubeconfigSecrets.Kubeconfig kubeconfig = read.get();
        Remote target;
        Remote stale = null;
        synchronized (this) {
            target = remote.get(kubeconfig.secret());
            if (target == null || !target.version.equals(kubeconfig.version())) {
                stale = target;
                KubernetesClient client = new KubernetesClientBuilder().withConfig(kubeconfigs.config(kubeconfig)).build();
                target = new Remote(kubeconfig.version(), client, new ClusterCapabilities(client, cacheFor));
                remote.put(kubeconfig.secret(), target);
            }
        }
        if (stale != null) {
            stale.client.close();
        }
        return target.discovery.read();
    }

    /** Closes the target clusters' clients. */
    @Override
    public synchronized void close() {
        remote.values().forEach(r -> r.client.close());
        remote.clear();
    }

    private record Remote(String version, KubernetesClient client, ClusterCapabilities discovery) {
    }
}
