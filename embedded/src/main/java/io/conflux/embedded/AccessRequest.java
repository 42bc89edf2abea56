package io.conflux.embedded;

import java.util.List;

/**
 * One request to the in-memory API server as its authorizer sees it, the attributes Kubernetes RBAC decides on.
 *
 * @param user      the {@code Impersonate-User} header, or {@value #ADMIN} for the unimpersonated token
 * @param groups    the {@code Impersonate-Group} headers, in order (empty when none)
 * @param verb      {@code get}, {@code list}, {@code watch}, {@code create}, {@code update}, {@code patch},
 *                  {@code delete} or {@code deletecollection}
 * @param group     API group, {@code ""} for the core group
 * @param resource  plural resource name, e.g. {@code configmaps}
 * @param namespace namespace, or null for cluster-scoped requests
 * @param name      object name, or null for collections
 */
public record AccessRequest(String user, List<String> groups, String verb, String group, String resource,
                            String namespace, String name) {

    /** The user of requests that do not impersonate anyone (the server's single token). */
    public static final String ADMIN = "conflux-local";

    /** @return the API server's 403 message, e.g. {@code configmaps "x" is forbidden: User "u" cannot patch resource ...} */
    public String forbiddenMessage() {
        return resource + (name == null ? "" : " \"" + name + "\"") + " is forbidden: User \"" + user + "\" cannot "
            + verb + " resource \"" + resource + "\" in API group \"" + group + "\""
            + (namespace == null ? " at the cluster scope" : " in the namespace \"" + namespace + "\"");
    }
}
