package io.conflux.applier.apply;

import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.service.KubeconfigSecrets;
import io.conflux.service.SecretReader;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster an object is applied to, and as whom: the management cluster, or — when {@code spec.kubeConfig.secretRef}
 * is set, as in Flux — the cluster of the kubeconfig stored in that Secret (key from {@code secretRef.key}, else
 * {@code value}, else {@code value.yaml}), in the object's namespace. When {@code spec.serviceAccountName} is set, or
 * else a default service account is configured (Flux's {@code --default-service-account}), requests to that cluster
 * impersonate the user {@code system:serviceaccount:<namespace>:<name>} and no group, as Flux's controllers do: the API
 * server then gives it the groups {@code system:serviceaccounts} and {@code system:serviceaccounts:<namespace>} of a
 * service account's token, and the applier needs only {@code impersonate} on {@code serviceaccounts} (never on
 * {@code groups}, which would let it impersonate any group), so the target cluster's RBAC decides what the object may
 * apply, prune and read.
 *
 * <p>{@code spec.kubeConfig.configMapRef} (Flux 2.6+, a remote cluster reached with workload identity) is not
 * implemented: such an object is refused with an {@link IllegalStateException} naming the field, never applied to the
 * management cluster instead.
 *
 * <p>The Secret is read, and a tenant's kubeconfig checked ({@code KubeconfigCheck}), by service-common's
 * {@link KubeconfigSecrets} (the renderer reads the same Secrets for {@code .Capabilities}) before a client is built from it: one whose users run
 * commands or plugins ({@code exec}, {@code auth-provider}, unless {@code allowExec}) or that names local files is
 * refused with an {@link IllegalStateException} naming the Secret and the field, never a value.
 *
 * <p>Clients are cached per kubeconfig content (its
 * SHA-256), so a rotated kubeconfig is picked up; impersonating clients
 * are cached with the client they are built on. Each use holds a {@link Lease}: the client of a rotated Secret is
 * closed, with its impersonating clients, once the last lease on it is closed, never under a reconcile still using it.
 * Blocking.
 */
public final class TargetClusters implements AutoCloseable {
    private final KubernetesClient management;
    private final KubeconfigSecrets kubeconfigs;
    private final Optional<String> defaultServiceAccount;
    /** Guarded by {@code this}: the current client of each kubeconfig Secret ({@code namespace/name}). */
    private final Map<String, Target> remote = new HashMap<>();
    private final Target managementTarget;

    /**
     * @param management            the management cluster's client (never closed here)
     * @param defaultServiceAccount the service account impersonated when an object names none, or empty for none
     * @param allowExec             whether kubeconfigs may use {@code exec} and {@code auth-provider}
     *                              ({@code conflux.applier.insecure-kubeconfig-exec}, Flux's
     *                              {@code --insecure-kubeconfig-exec}); false refuses them
     */
    public TargetClusters(KubernetesClient management, Optional<String> defaultServiceAccount, boolean allowExec) {
        this(management, new SecretReader(management), defaultServiceAccount, allowExec);
    }

    /**
     * @param management            the management cluster's client (never closed here)
     * @param secrets               reads the kubeconfig Secrets of the management cluster
     * @param defaultServiceAccount the service account impersonated when an object names none, or empty for none
     * @param allowExec             whether kubeconfigs may use {@code exec} and {@code auth-provider}
     */
    public TargetClusters(KubernetesClient management, SecretReader secrets, Optional<String> defaultServiceAccount,
                          boolean allowExec) {
        this.management = management;
        this.kubeconfigs = new KubeconfigSecrets(secrets, allowExec, "applier");
        this.defaultServiceAccount = defaultServiceAccount.filter(s -> !s.isBlank());
        this.managementTarget = new Target("management", management, false);
    }

    /**
     * @param management            the management cluster's client
     * @param defaultServiceAccount the service account impersonated when an object names none, or empty for none
     */
    public TargetClusters(KubernetesClient management, Optional<String> defaultServiceAccount) {
        this(management, defaultServiceAccount, false);
    }

    /** @param management the management cluster's client; nothing is impersonated by default, exec refused */
    public TargetClusters(KubernetesClient management) {
        this(management, Optional.empty(), false);
    }

    /**
     * @param namespace  the object's namespace
     * @param kubeConfig {@code spec.kubeConfig}, or null for the management cluster
     * @return a lease on a client for the target cluster, without impersonation; close it when done
     * @throws IllegalStateException when the Secret or its key is missing, or its kubeconfig is refused
     */
    public Lease forObject(String namespace, KubeConfigReference kubeConfig) {
        Target target = acquire(namespace, kubeConfig);
        return new Lease(target, target.client);
    }

    /**
     * @param namespace          the object's namespace (also the service account's)
     * @param kubeConfig         {@code spec.kubeConfig}, or null for the management cluster
     * @param serviceAccountName {@code spec.serviceAccountName}, or null/blank for the configured default
     * @return a lease on a client for the target cluster acting as the service account, if any; close it when done
     * @throws IllegalStateException when the Secret or its key is missing, or its kubeconfig is refused
     */
    public Lease forObject(String namespace, KubeConfigReference kubeConfig, String serviceAccountName) {
        Optional<String> account = serviceAccountName == null || serviceAccountName.isBlank()
                ? defaultServiceAccount : Optional.of(serviceAccountName);
        Target target = acquire(namespace, kubeConfig);
        if (account.isEmpty()) {
            return new Lease(target, target.client);
        }
        try {
            return new Lease(target, target.impersonating(username(namespace, account.get())));
        } catch (RuntimeException e) {
            release(target);
            throw e;
        }
    }

    /** @return Kubernetes' user name of a service account, {@code system:serviceaccount:<namespace>:<name>} */
    public static String username(String namespace, String serviceAccount) {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /**
     * One use of a target cluster's client: valid until closed. Closing it twice is harmless.
     */
    public final class Lease implements AutoCloseable {
        private final Target target;
        private final KubernetesClient client;
        private boolean closed;

        private Lease(Target target, KubernetesClient client) {
            this.target = target;
            this.client = client;
        }

        /** @return the client, usable until this lease is closed */
        public KubernetesClient client() {
            return client;
        }

        @Override
        public void close() {
            synchronized (TargetClusters.this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(target);
        }
    }

    /** One cluster's client (for one version of its kubeconfig Secret), its impersonating clients, and its users. */
    private static final class Target {
        final String version;
        final KubernetesClient client;
        final boolean owned;
        final Map<String, KubernetesClient> impersonating = new ConcurrentHashMap<>();
        /** Guarded by the owning {@link TargetClusters}. */
        int leases;
        /** Guarded by the owning {@link TargetClusters}: replaced by a newer version of the Secret. */
        boolean retired;

        Target(String version, KubernetesClient client, boolean owned) {
            this.version = version;
            this.client = client;
            this.owned = owned;
        }

        KubernetesClient impersonating(String user) {
            return impersonating.computeIfAbsent(user, k -> new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(client.getConfiguration())
                            .withImpersonateUsername(user)
                            .build())
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

    private Target acquire(String namespace, KubeConfigReference kubeConfig) {
        Optional<KubeconfigSecrets.Kubeconfig> read = kubeconfigs.read(namespace, kubeConfig);
        if (read.isEmpty()) {
            synchronized (this) {
                managementTarget.leases++;
            }
            return managementTarget;
        }
        KubeconfigSecrets.Kubeconfig kubeconfig = read.get();
        String cacheKey = kubeconfig.secret();
        String version = kubeconfig.version();
        synchronized (this) {
            Target current = remote.get(cacheKey);
            if (current != null && current.version.equals(version)) {
                current.leases++;
                return current;
            }
        }
        KubernetesClient client = new KubernetesClientBuilder().withConfig(kubeconfigs.config(kubeconfig)).build();
        Target stale = null;
        Target chosen;
        synchronized (this) {
            Target current = remote.get(cacheKey);
            if (current != null && current.version.equals(version)) {
                chosen = current; // another reconcile built it meanwhile: share that one
            } else {
                chosen = new Target(version, client, true);
                remote.put(cacheKey, chosen);
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

    private void release(Target target) {
        boolean close;
        synchronized (this) {
            target.leases--;
            close = target.retired && target.leases == 0;
        }
        if (close) {
            target.close();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            remote.values().forEach(Target::close);
            remote.clear();
        }
        managementTarget.close();
    }
}
