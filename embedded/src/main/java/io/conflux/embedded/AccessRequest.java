package io.conflux.embedded;

import java.util.List;

/**
 * One request to the in-memory API server as its authorizer sees it, the attributes Kubernetes RBAC decides on.
 *
 * @param user        the identity decided on: the {@code Impersonate-User} header when present, else the user the
 *                    bearer token authenticates ({@value #ADMIN} for the server's own token, a service account's user
 *                    name for {@link InMemoryKubernetes#serviceAccountToken})
 * @param groups      the {@code Impersonate-Group} headers, in order (empty when none)
 * @param verb        {@code get}, {@code list}, {@code watch}, {@code create}, {@code update}, {@code patch},
 *                    {@code delete}, {@code deletecollection} or {@code impersonate}
 * @param group       API group, {@code ""} for the core group
 * @param resource    plural resource name, e.g. {@code configmaps}
 * @param namespace   namespace, or null for cluster-scoped requests
 * @param name        object name, or null for collections
 * @param subresource subresource such as {@code status}, or null
 */
public record AccessRequest(String user, List<String> groups, String verb, String group, String resource,
                            String namespace, String name, String subresource) {

    /** The user of requests that do not impersonate anyone (the server's single token). */
    public static final String ADMIN = "conflux-local";

    /** @return the API server's 403 message, e.g. {@code configmaps "x" is forbidden: User "u" cannot patch resource ...} */
    public String forbiddenMessage() {
        String full = subresource == null ? resource : resource + "/" + subresource;
        return full + (name == null ? "" : " \"" + name + "\"") + " is forbidden: User \"" + user + "\" cannot "
            + verb + " resource \"" + full + "\" in API group \"" + group + "\""
            + (namespace == null ? " at the cluster scope" : " in the namespace \"" + namespace + "\"");
    }
}
