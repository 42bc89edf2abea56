package io.conflux.embedded;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers the API discovery endpoints ({@code /api}, {@code /api/v1}, {@code /apis}, {@code /apis/GROUP},
 * {@code /apis/GROUP/VERSION}) from {@link BuiltInKinds} and the installed CRDs, the way a real API server does;
 * fabric8 uses them to resolve {@code GenericKubernetesResource}s.
 */
final class Discovery {

    private static final List<String> VERBS =
        List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private final CrdRegistry registry;

    Discovery(CrdRegistry registry) {
        this.registry = registry;
    }

    /** @return the discovery document (JSON) for {@code path} without query, or null if it is not a discovery path */
    String answer(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        String[] seg = p.split("/");
        if (p.equals("/api")) {
            ObjectNode n = object("APIVersions");
            n.putArray("versions").add("v1");
            n.putArray("serverAddressByClientCIDRs");
            return json(n);
        }
        if (p.equals("/api/v1")) {
            return resourceList("v1");
        }
        Map<String, List<String>> groups = groups();
        if (p.equals("/apis")) {
            ObjectNode n = object("APIGroupList");
            ArrayNode arr = n.putArray("groups");
            groups.forEach((g, versions) -> arr.add(group(g, versions)));
            return json(n);
        }
        if (seg.length == 3 && seg[1].equals("apis") && groups.containsKey(seg[2])) {
            ObjectNode n = group(seg[2], groups.get(seg[2]));
            n.put("kind", "APIGroup");
            n.put("apiVersion", "v1");
            return json(n);
        }
        if (seg.length == 4 && seg[1].equals("apis") && groups.getOrDefault(seg[2], List.of()).contains(seg[3])) {
            return resourceList(seg[2] + "/" + seg[3]);
        }
        return null;
    }

    /** group name to served versions, the CRD storage version first (when served) for custom groups. */
    private Map<String, List<String>> groups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String gv : BuiltInKinds.BY_GROUP_VERSION.keySet()) {
            if (gv.contains("/")) {
                groups.computeIfAbsent(gv.substring(0, gv.indexOf('/')), k -> new ArrayList<>())
                    .add(gv.substring(gv.indexOf('/') + 1));
            }
        }
        for (CrdRegistry.CustomType t : registry.all()) {
            if (t.servedVersions().isEmpty()) {
                continue;
            }
            List<String> versions = groups.computeIfAbsent(t.group(), k -> new ArrayList<>());
            if (!versions.contains(t.storageVersion()) && t.servedVersions().contains(t.storageVersion())) {
                versions.add(0, t.storageVersion());
            }
            for (String v : t.servedVersions()) {
                if (!versions.contains(v)) {
                    versions.add(v);
                }
            }
        }
        return groups;
    }

    private String resourceList(String groupVersion) {
        ObjectNode n = object("APIResourceList");
        n.put("groupVersion", groupVersion);
        ArrayNode resources = n.putArray("resources");
        for (BuiltInKinds.Kind k : BuiltInKinds.BY_GROUP_VERSION.getOrDefault(groupVersion, List.of())) {
            addResource(resources, k.plural(), k.kind(), k.namespaced(), k.shortNames());
        }
        for (CrdRegistry.CustomType t : registry.all()) {
            for (String v : t.servedVersions()) {
                if ((t.group() + "/" + v).equals(groupVersion)) {
                    addResource(resources, t.plural(), t.kind(), t.namespaced(), t.shortNames());
                }
            }
        }
        return json(n);
    }

    private static void addResource(ArrayNode resources, String plural, String kind, boolean namespaced,
                                    List<String> shortNames) {
        ObjectNode r = resources.addObject();
        r.put("name", plural);
        r.put("singularName", kind.toLowerCase());
        r.put("namespaced", namespaced);
        r.put("kind", kind);
        VERBS.forEach(r.putArray("verbs")::add);
        if (!shortNames.isEmpty()) {
            shortNames.forEach(r.putArray("shortNames")::add);
        }
        ObjectNode status = resources.addObject();
        status.put("name", plural + "/status");
        status.put("singularName", "");
        status.put("namespaced", namespaced);
        status.put("kind", kind);
        List.of("get", "patch", "update").forEach(status.putArray("verbs")::add);
    }

    private static ObjectNode group(String name, List<String> versions) {
        ObjectNode g = Json.MAPPER.createObjectNode();
        g.put("name", name);
        ArrayNode arr = g.putArray("versions");
        for (String v : versions) {
            arr.addObject().put("groupVersion", name + "/" + v).put("version", v);
        }
        g.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
        return g;
    }

    private static ObjectNode object(String kind) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("kind", kind);
        n.put("apiVersion", "v1");
        return n;
    }

    private static String json(ObjectNode n) {
        try {
            return Json.MAPPER.writeValueAsString(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
