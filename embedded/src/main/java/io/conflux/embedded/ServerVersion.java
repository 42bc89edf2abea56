package io.conflux.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Answers {@code GET /version} as kube-apiserver does ({@code k8s.io/apimachinery/pkg/version.Info}, served without
 * authentication): {@code major}, {@code minor}, {@code gitVersion}, {@code gitCommit}, {@code gitTreeState},
 * {@code buildDate}, {@code goVersion}, {@code compiler}, {@code platform}. The embedded API server speaks as
 * Kubernetes {@value #GIT_VERSION}; clients read it as the cluster's version (fabric8's
 * {@code getKubernetesVersion()}, Helm's {@code .Capabilities.KubeVersion} in the renderer).
 */
final class ServerVersion {
    /** The Kubernetes version the embedded API server reports. */
    static final String GIT_VERSION = "v1.35.0";
    static final String MAJOR = "1";
    static final String MINOR = "35";

    private ServerVersion() {
    }

    /**
     * @param path the request path without query
     * @return the version document (JSON) when {@code path} is {@code /version} (or {@code /version/}), else null
     */
    static String answer(String path) {
        if (!path.equals("/version") && !path.equals("/version/")) {
            return null;
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("major", MAJOR);
        n.put("minor", MINOR);
        n.put("emulationMajor", MAJOR);
        n.put("emulationMinor", MINOR);
        n.put("minCompatibilityMajor", MAJOR);
        n.put("minCompatibilityMinor", String.valueOf(Integer.parseInt(MINOR) - 1));
        n.put("gitVersion", GIT_VERSION);
        n.put("gitCommit", "0000000000000000000000000000000000000000");
        n.put("gitTreeState", "clean");
        n.put("buildDate", "2025-12-17T00:00:00Z");
        n.put("goVersion", "go1.25.5");
        n.put("compiler", "gc");
        n.put("platform", "linux/amd64");
        return n.toString();
    }
}
