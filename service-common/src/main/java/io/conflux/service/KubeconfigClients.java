package io.conflux.service;

import io.conflux.model.kustomize.KubeConfigReference;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients of the clusters Flux objects target, shared by the applier (to apply, prune and wait) and the renderer
 * (to read a HelmRelease target's discovery for {@code .Capabilities}): the management cluster's client, or — for an
 * object with {@code spec.kubeConfig.secretRef} — one client per version of its kubeconfig Secret (read and checked by
 * {@link KubeconfigSecrets}; the version is the SHA-256 of the kubeconfig), each with its impersonating clients
 * ({@code Impersonate-User}, no group, as client-go's {@code rest.ImpersonationConfig} that Flux's controllers set).
 *
 * <p>Every use holds a {@link Lease}. When a Secret is rotated, the next lease builds the new version's client and
 * retires the old one, which is closed (with its impersonating clients) only when its last lease is closed: a
 * reconcile or a discovery read still running on the old client finishes with it. The management cluster's client is
 * never closed here. Thread-safe; {@link #lease} blocks while reading the Secret.
 */
public final class KubeconfigClients implements AutoCloseable {
    /** The {@link Lease#cluster()} of the management cluster. */
    public static final String MANAGEMENT = "management";

    private final KubeconfigSecrets kubeconfigs;
    private final Cluster management;
    /** Guarded by {@code this}: the current client of each kubeconfig Secret ({@code namespace/name}). */
    private final Map<String, Cluster> remote = new HashMap<>();

    /**
     * @param management  the management cluster's client (never closed here)
     * @param kubeconfigs reads and checks kubeconfig Secrets
     */
    public KubeconfigClients(KubernetesClient management, KubeconfigSecrets kubeconfigs) {
        this.kubeconfigs = kubeconfigs;
        this.management = new Cluster(MANAGEMENT, "", management, false);
    }

    /** @return Kubernetes' user name of a service account, {@code system:serviceaccount:<namespace>:<name>} */
    public static String serviceAccountUser(String namespace, String serviceAccount) {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /**
     * @param namespace   the object's namespace (where its kubeconfig Secret is)
     * @param kubeConfig  its {@code spec.kubeConfig}, or null for the management cluster
     * @param impersonate the user to impersonate ({@link #serviceAccountUser}), or empty for the client's own identity
     * @return a lease on the target cluster's client; close it when done
     * @throws IllegalStateException when the Secret or its key is missing, or its kubeconfig is refused (naming the
     *                               Secret and the field, never a value)
     */
    public Lease lease(String namespace, KubeConfigReference kubeConfig, Optional<String> impersonate) {
        Cluster cluster = acquire(namespace, kubeConfig);
        try {
            return new Lease(cluster, impersonate.isEmpty() ? cluster.client : cluster.impersonating(impersonate.get()));
        } catch (RuntimeException e) {
            release(cluster);
            throw e;
        }
    }

    /** One use of a target cluster's client: valid until closed. Closing it twice is harmless. */
    public final class Lease implements AutoCloseable {
        private final Cluster cluster;
        private final KubernetesClient client;
        private boolean closed;

        private Lease(Cluster cluster, KubernetesClient client) {
            this.cluster = cluster;
            this.client = client;
        }

        /** @return the client, usable until this lease is closed */
        public KubernetesClient client() {
            return client;
        }

        /** @return {@value #MANAGEMENT}, or the kubeconfig Secret {@code namespace/name} */
        public String cluster() {
            return cluster.key;
        }

        /** @return the SHA-256 of the kubeconfig the client was built from; empty for the management cluster */
        public String version() {
            return cluster.version;
        }

        @Override
        public void close() {
            synchronized (KubeconfigClients.this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(cluster);
        }
    }

    /** One cluster's client (for one version of its kubeconfig Secret), its impersonating clients, and its users. */
    private static final class Cluster {
        final String key;
        final String version;
        final KubernetesClient client;
        final boolean owned;
        final Map<String, KubernetesClient> impersonating = new ConcurrentHashMap<>();
        /** Guarded by the owning {@link KubeconfigClients}. */
        int leases;
        /** Guarded by the owning {@link KubeconfigClients}: replaced by a newer version of the Secret. */
        boolean retired;

        Cluster(String key, String version, KubernetesClient client, boolean owned) {
            this.key = key;
            this.version = version;
            this.client = client;
            this.owned = owned;
        }

        KubernetesClient impersonating(String user) {
            return impersonating.computeIfAbsent(user, k -> new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(client.getConfiguration()).withImpersonateUsername(user).build())
                    .build());
        }

        void close() {
            impersonating.values().forEach(KubernetesClient::close);
            impersonating.clear();
            if (owned) {
                client.close();
            }
        }
    }

    private Cluster acquire(String namespace, KubeConfigReference kubeConfig) {
        Optional<KubeconfigSecrets.Kubeconfig> read = kubeconfigs.read(namespace, kubeConfig);
        if (read.isEmpty()) {
            synchronized (this) {
                management.leases++;
            }
            return management;
        }
        KubeconfigSecrets.Kubeconfig kubeconfig = read.get();
        synchronized (this) {
            Cluster current = remote.get(kubeconfig.secret());
            if (current != null && current.version.equals(kubeconfig.version())) {
                current.leases++;
                return current;
            }
        }
        KubernetesClient client = new KubernetesClientBuilder().withConfig(kubeconfigs.config(kubeconfig)).build();
        Cluster stale = null;
        Cluster chosen;
        synchronized (this) {
            Cluster current = remote.get(kubeconfig.secret());
            if (current != null && current.version.equals(kubeconfig.version())) {
                chosen = current; // another user built it meanwhile: share that one
            } else {
                chosen = new Cluster(kubeconfig.secret(), kubeconfig.version(), client, true);
                remote.put(kubeconfig.secret(), chosen);
                if (current != null) {
                    current.retired = true;
                    stale = current.leases == 0 ? current : null;
                }
            }
            chosen.leases++;
        }
        if (chosen.client != client) {
            client.close();
        }
        if (stale != null) {
            stale.close();
        }
        return chosen;
    }

    private void release(Cluster cluster) {
        boolean close;
        synchronized (this) {
            cluster.leases--;
            close = cluster.retired && cluster.leases == 0;
        }
        if (close) {
            cluster.close();
        }
    }

    /** Closes every client built here (the management cluster's impersonating clients too, not its own client). */
    @Override
    public void close() {
        synchronized (this) {
            remote.values().forEach(Cluster::close);
            remote.clear();
        }
        management.close();
    }
}
