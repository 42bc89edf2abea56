package io.conflux.embedded;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A parsed Kubernetes REST path: {@code /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]} or
 * {@code /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUB]]}, plus the raw query string (may be null).
 * Discovery paths ({@code /api/v1}, {@code /apis/GROUP/VERSION}) and a Namespace object path
 * ({@code /api/v1/namespaces/NAME}) parse with {@code namespace == null}.
 */
record ResourcePath(String group, String version, String namespace, String plural, String name, String subresource,
                    String query) {

    /** @return the parsed path, or null if it is not a resource path */
    static ResourcePath parse(String rawPath) {
        String path = rawPath;
        String query = null;
        int q = rawPath.indexOf('?');
        if (q >= 0) {
            path = rawPath.substring(0, q);
            query = rawPath.substring(q + 1);
        }
        List<String> seg = new ArrayList<>(Arrays.asList(path.split("/")));
        seg.removeIf(String::isEmpty);
        String group;
        String version;
        int i;
        if (seg.size() >= 2 && seg.get(0).equals("api")) {
            group = "";
            version = seg.get(1);
            i = 2;
        } else if (seg.size() >= 3 && seg.get(0).equals("apis")) {
            group = seg.get(1);
            version = seg.get(2);
            i = 3;
        } else {
            return null;
        }
        List<String> rest = seg.subList(i, seg.size());
        if (rest.isEmpty()) {
            return null;
        }
        String namespace = null;
        if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        String plural = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : null;
        String sub = rest.size() > 2 ? String.join("/", rest.subList(2, rest.size())) : null;
        return new ResourcePath(group, version, namespace, plural, name, sub, query);
    }

    ResourcePath withVersion(String v) {
        return new ResourcePath(group, v, namespace, plural, name, subresource, query);
    }

    ResourcePath withoutNamespace() {
        return new ResourcePath(group, version, null, plural, name, subresource, query);
    }

    /** @return the collection path of this resource (no name, subresource or query) */
    ResourcePath collection() {
        return new ResourcePath(group, version, namespace, plural, null, null, null);
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    String render() {
        StringBuilder b = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
        if (namespace != null) {
            b.append("/namespaces/").append(namespace);
        }
        b.append('/').append(plural);
        if (name != null) {
            b.append('/').append(name);
        }
        if (subresource != null) {
            b.append('/').append(subresource);
        }
        if (query != null) {
            b.append('?').append(query);
        }
        return b.toString();
    }
}
