package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the API server knows about custom resource types, rebuilt from the stored CustomResourceDefinitions after
 * each CRD write, plus the built-in cluster-scoped plurals.
 */
final class CrdRegistry {

    /**
     * A custom resource type as declared by its CRD.
     *
     * @param servedVersions the versions with {@code served: true}, in the CRD's order; the others are not served
     * @param storageVersion the version with {@code storage: true} (objects are stored in it, served or not)
     * @param schemas        version name to its {@code schema.openAPIV3Schema} (absent when the CRD has none)
     */
    record CustomType(String group, String plural, String singular, String kind, List<String> shortNames,
                      List<String> servedVersions, String storageVersion, boolean namespaced,
                      Map<String, JsonNode> schemas) {

        /** @return the schema of {@code version}, if the CRD declares one */
        Optional<JsonNode> schema(String version) {
            return Optional.ofNullable(schemas.get(version));
        }

        /** @return the qualified kind as kube-apiserver names it in messages, e.g. {@code Kustomization.kustomize.toolkit.fluxcd.io} */
        String qualifiedKind() {
            return kind + "." + group;
        }
    }

    private volatile Map<String, CustomType> types = Map.of();

    /** Replaces the known custom types with those of a CustomResourceDefinitionList JSON document. */
    void reload(JsonNode crdList) {
        Map<String, CustomType> next = new LinkedHashMap<>();
        for (JsonNode crd : crdList.path("items")) {
            JsonNode spec = crd.path("spec");
            JsonNode names = spec.path("names");
            String group = spec.path("group").asText();
            String plural = names.path("plural").asText();
            String storage = null;
            List<String> served = new ArrayList<>();
            Map<String, JsonNode> schemas = new LinkedHashMap<>();
            for (JsonNode v : spec.path("versions")) {
                JsonNode schema = v.path("schema").path("openAPIV3Schema");
                if (schema.isObject()) {
                    schemas.put(v.path("name").asText(), schema);
                }
                if (v.path("served").asBoolean(true)) {
                    served.add(v.path("name").asText());
                }
                if (v.path("storage").asBoolean(false)) {
                    storage = v.path("name").asText();
                }
            }
            if (storage == null && !served.isEmpty()) {
                storage = served.get(0);
            }
            List<String> shortNames = new ArrayList<>();
            names.path("shortNames").forEach(s -> shortNames.add(s.asText()));
            String singular = names.path("singular").asText(names.path("kind").asText().toLowerCase());
            next.put(group + "/" + plural, new CustomType(group, plural, singular, names.path("kind").asText(),
                List.copyOf(shortNames), List.copyOf(served), storage, !"Cluster".equals(spec.path("scope").asText()),
                Map.copyOf(schemas)));
        }
        types = Map.copyOf(next);
    }

    Optional<CustomType> custom(String group, String plural) {
        return Optional.ofNullable(types.get(group + "/" + plural));
    }

    /** @return all custom types, in no particular order */
    List<CustomType> all() {
        return List.copyOf(types.values());
    }

    boolean clusterScoped(String group, String plural) {
        CustomType type = types.get(group + "/" + plural);
        if (type != null) {
            return !type.namespaced();
        }
        return BuiltInKinds.clusterScoped(group, plural);
    }
}
