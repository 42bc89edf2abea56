package io.conflux.embedded;

import java.util.function.Supplier;

/**
 * Decides whether the in-memory API server serves a request (discovery is served to every identity, as it is to every
 * authenticated user of a real cluster, but a discovery request that impersonates someone is first checked for the
 * {@code impersonate} permission, as kube-apiserver's impersonation filter checks every request). A denied request is answered {@code 403 Forbidden} with the real server's
 * Status and message. Called on the server's request thread, one request at a time.
 */
@FunctionalInterface
public interface Authorizer {

    /** Serves every request (the default). */
    Authorizer ALLOW_ALL = request -> true;

    /**
     * Kubernetes RBAC: the server's own token ({@value AccessRequest#ADMIN}, cluster-admin) may do everything; every
     * other identity only what the cluster's Roles, ClusterRoles and their bindings grant it, evaluated by
     * {@link RbacPolicy} on the RBAC objects stored at the time of the request (so a binding applied before a
     * request applies to it, with no informer lag).
     */
    Authorizer RBAC = new Authorizer() {
        @Override
        public boolean allows(AccessRequest request) {
            return AccessRequest.ADMIN.equals(request.user());
        }

        @Override
        public boolean allows(AccessRequest request, Supplier<RbacPolicy> cluster) {
            return allows(request) || cluster.get().allows(request);
        }
    };

    /** @return whether {@code request} is allowed */
    boolean allows(AccessRequest request);

    /**
     * What the server calls: {@link #allows(AccessRequest)} unless an authorizer decides on the cluster's RBAC objects.
     *
     * @param request the request
     * @param cluster reads the RBAC objects stored now (on the request thread; call only when needed)
     * @return whether {@code request} is allowed
     */
    default boolean allows(AccessRequest request, Supplier<RbacPolicy> cluster) {
        return allows(request);
    }
}
