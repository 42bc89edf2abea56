package io.conflux.renderer.render;

import io.conflux.helm.Capabilities;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The {@code .Capabilities} of a cluster from its API discovery, as Helm reads them for helm-controller
 * ({@code action.Configuration.getCapabilities}: the server version and {@code GetVersionSet} of the served groups,
 * each {@code group/version} and {@code group/version/Kind}): {@code /api/v1}, {@code /apis} and each
 * {@code /apis/GROUP/VERSION} (subresources left out), and {@code /version}'s {@code gitVersion} — when the server has
 * no {@code /version}, Helm's default KubeVersion stays. Kept for {@code conflux.renderer.discovery-cache} so that
 * renders of many HelmReleases do not each read discovery; a failed read is logged and gives Helm's defaults
 * ({@link Capabilities#DEFAULT}), as {@code helm template} renders without a cluster. Thread-safe; blocking.
 */
final class ClusterCapabilities {
    private static final Logger LOG = Logger.getLogger(ClusterCapabilities.class);

    private final KubernetesClient client;
    private final Duration cacheFor;
    private final LongSupplier nanoTime;
    private Capabilities cached;
    private long readAt;

    /**
     * @param client   the cluster
     * @param cacheFor how long one read is used
     */
    ClusterCapabilities(KubernetesClient client, Duration cacheFor) {
        this(client, cacheFor, System::nanoTime);
    }

    ClusterCapabilities(KubernetesClient client, Duration cacheFor, LongSupplier nanoTime) {
        this.client = client;
        this.cacheFor = cacheFor;
        this.nanoTime = nanoTime;
    }

    /** @return the cluster's capabilities, read with the client given at construction at most once per {@code cacheFor} */
    synchronized Capabilities read() {
        return read(client);
    }

    /**
     * @param via the client to read with when the last read is older than {@code cacheFor} (a target's client leased for
     *            this read, whose version may change from read to read)
     * @return the cluster's capabilities, read at most once per {@code cacheFor}
     */
    synchronized Capabilities read(KubernetesClient via) {
        long now = nanoTime.getAsLong();
        if (cached != null && now - readAt < cacheFor.toNanos()) {
            return cached;
        }
        try {
            List<Capabilities.GroupVersion> served = new ArrayList<>();
            served.add(groupVersion(via, "v1"));
            for (APIGroup group : via.getApiGroups().getGroups()) {
                for (GroupVersionForDiscovery v : group.getVersions()) {
                    served.add(groupVersion(via, v.getGroupVersion()));
                }
            }
            cached = new Capabilities(kubeVersion(via), Capabilities.apiVersions(served));
        } catch (KubernetesClientException e) {
            LOG.warnf("cluster discovery failed, charts see Helm's default capabilities: %s", e.getMessage());
            cached = Capabilities.DEFAULT;
        }
        readAt = now;
        return cached;
    }

    private static Capabilities.GroupVersion groupVersion(KubernetesClient via, String groupVersion) {
        APIResourceList list = via.getApiResources(groupVersion);
        List<String> kinds = new ArrayList<>();
        if (list != null && list.getResources() != null) {
            for (APIResource r : list.getResources()) {
                if (r.getName() != null && !r.getName().contains("/") && r.getKind() != null) {
                    kinds.add(r.getKind());
                }
            }
        }
        return new Capabilities.GroupVersion(groupVersion, kinds);
    }

    private static String kubeVersion(KubernetesClient via) {
        try {
            var version = via.getKubernetesVersion();
            return version == null || version.getGitVersion() == null || version.getGitVersion().isEmpty()
                    ? null : version.getGitVersion();
        } catch (KubernetesClientException e) {
            return null; // no /version (e.g. a minimal API server): Helm's default
        }
    }
}
