package io.conflux.applier.apply;

import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.service.KubeconfigClients;
import io.conflux.service.KubeconfigSecrets;
import io.conflux.service.SecretReader;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

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
 * <p>Clients come from service-common's {@link KubeconfigClients}, the renderer's too: one per version of a kubeconfig
 * Secret (its SHA-256), so a rotated kubeconfig is picked up, with its impersonating clients. Each use holds a
 * {@link Lease}: the client of a rotated Secret is closed, with its impersonating clients, once the last lease on it
 * is closed, never under a reconcile still using it. Blocking.
 */
public final class TargetClusters implements AutoCloseable {
    private final KubeconfigClients clients;
    private final Optional<String> defaultServiceAccount;

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
        this.clients = new KubeconfigClients(management, new KubeconfigSecrets(secrets, allowExec, "applier"));
        this.defaultServiceAccount = defaultServiceAccount.filter(s -> !s.isBlank());
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
        return new Lease(clients.lease(namespace, kubeConfig, Optional.empty()));
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
        return new Lease(clients.lease(namespace, kubeConfig, account.map(a -> username(namespace, a))));
    }

    /** @return Kubernetes' user name of a service account, {@code system:serviceaccount:<namespace>:<name>} */
    public static String username(String namespace, String serviceAccount) {
        return KubeconfigClients.serviceAccountUser(namespace, serviceAccount);
    }

    /**
     * One use of a target cluster's client: valid until closed. Closing it twice is harmless.
     */
    public static final class Lease implements AutoCloseable {
        private final KubeconfigClients.Lease lease;

        private Lease(KubeconfigClients.Lease lease) {
            this.lease = lease;
        }

        /** @return the client, usable until this lease is closed */
        public KubernetesClient client() {
            return lease.client();
        }

        @Override
        public void close() {
            lease.close();
        }
    }

    @Override
    public void close() {
        clients.close();
    }
}
