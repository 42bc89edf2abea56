package io.conflux.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.LoadRestrictions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the cluster must hold at a commit of a {@link StormRepository}, and how far it does: every directory a
 * Kustomization applies ({@code clusters/faults} and {@code apps/ks-NN}) built with Conflux's kustomize module (as
 * the renderer builds them: Flux's load restrictions, none), then each built object looked up on the cluster.
 *
 * <p>An object is <em>equal</em> to its render when every field the render gives (apart from {@code metadata},
 * where the name, namespace, labels and annotations are compared) has the same value on the cluster; fields the
 * cluster adds (defaults, status, the applier's owner labels) are not compared. <em>Extra</em> objects are the
 * ConfigMaps and Deployments in namespace {@value StormRepository#NAMESPACE} and the Kustomizations in
 * {@value StormRepository#FLUX_NAMESPACE} that the render does not hold: they should have been pruned.
 */
final class ExpectedObjects {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Result of a comparison.
     *
     * @param expected  objects the render holds
     * @param present   of those, objects found on the cluster
     * @param equal     of those, objects equal to their render
     * @param missing   {@code Kind/namespace/name} of rendered objects not on the cluster
     * @param differing {@code Kind/namespace/name} of objects on the cluster that differ from their render
     * @param extra     {@code Kind/namespace/name} of objects on the cluster the render does not hold
     */
    record Comparison(int expected, int present, int equal, List<String> missing, List<String> differing,
                      List<String> extra) {
        /** @return whether the cluster holds exactly the render */
        boolean exact() {
            return missing.isEmpty() && differing.isEmpty() && extra.isEmpty();
        }
    }

    private final Map<String, JsonNode> rendered;

    private ExpectedObjects(Map<String, JsonNode> rendered) {
        this.rendered = rendered;
    }

    /**
     * Builds every Kustomization's directory of the repository's work tree (which holds its newest commit).
     *
     * @throws io.conflux.kustomize.KustomizeException when a build fails (the generated tree is then wrong)
     */
    static ExpectedObjects render(StormRepository repo) {
        Kustomizer kustomizer = Kustomizer.create().withLoadRestrictions(LoadRestrictions.NONE);
        Map<String, JsonNode> objects = new LinkedHashMap<>();
        List<Path> dirs = new ArrayList<>();
        dirs.add(repo.workTree().resolve(StormRepository.ROOT_PATH));
        repo.kustomizationNames().forEach(n -> dirs.add(repo.workTree().resolve("apps").resolve(n)));
        for (Path dir : dirs) {
            for (Map<String, Object> object : kustomizer.build(dir).objects()) {
                JsonNode node = JSON.valueToTree(object);
                objects.put(id(node), node);
            }
        }
        return new ExpectedObjects(objects);
    }

    /** @return the number of rendered objects */
    int size() {
        return rendered.size();
    }

    /** Compares the cluster with the render. */
    Comparison compare(KubernetesClient client) {
        List<String> missing = new ArrayList<>();
        List<String> differing = new ArrayList<>();
        int present = 0;
        int equal = 0;
        for (var entry : rendered.entrySet()) {
            JsonNode want = entry.getValue();
            GenericKubernetesResource live = get(client, want);
            if (live == null) {
                missing.add(entry.getKey());
                continue;
            }
            present++;
            if (contains(JSON.valueToTree(live), comparable(want))) {
                equal++;
            } else {
                differing.add(entry.getKey());
            }
        }
        Set<String> onCluster = new TreeSet<>();
        for (String kind : List.of("v1/ConfigMap", "apps/v1/Deployment")) {
            int slash = kind.lastIndexOf('/');
            client.genericKubernetesResources(kind.substring(0, slash), kind.substring(slash + 1))
                .inNamespace(StormRepository.NAMESPACE).list().getItems()
                .forEach(r -> onCluster.add(r.getKind() + "/" + StormRepository.NAMESPACE + "/" + r.getMetadata().getName()));
        }
        client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
            .inNamespace(StormRepository.FLUX_NAMESPACE).list().getItems().stream()
            .filter(k -> !k.getMetadata().getName().equals(StormRepository.NAME))
            .forEach(k -> onCluster.add("Kustomization/" + StormRepository.FLUX_NAMESPACE + "/" + k.getMetadata().getName()));
        onCluster.removeAll(rendered.keySet());
        return new Comparison(rendered.size(), present, equal, missing, differing, List.copyOf(onCluster));
    }

    private static GenericKubernetesResource get(KubernetesClient client, JsonNode want) {
        var resources = client.genericKubernetesResources(want.path("apiVersion").asText(), want.path("kind").asText());
        String namespace = want.path("metadata").path("namespace").asText("");
        String name = want.path("metadata").path("name").asText();
        return namespace.isEmpty() ? resources.withName(name).get() : resources.inNamespace(namespace).withName(name).get();
    }

    /** The render without the metadata fields a server owns or a render leaves out. */
    private static JsonNode comparable(JsonNode want) {
        var copy = want.deepCopy();
        if (copy instanceof com.fasterxml.jackson.databind.node.ObjectNode o
            && o.get("metadata") instanceof com.fasterxml.jackson.databind.node.ObjectNode meta) {
            meta.retain("name", "namespace", "labels", "annotations");
        }
        return copy;
    }

    /** @return whether every field of {@code want} is in {@code have} with the same value (numbers by value) */
    static boolean contains(JsonNode have, JsonNode want) {
        if (want.isObject()) {
            if (!have.isObject()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> field : want.properties()) {
                JsonNode h = have.get(field.getKey());
                if (h == null || !contains(h, field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (want.isArray()) {
            if (!have.isArray() || have.size() != want.size()) {
                return false;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!contains(have.get(i), want.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (want.isNumber() && have.isNumber()) {
            return want.decimalValue().compareTo(have.decimalValue()) == 0;
        }
        return want.equals(have);
    }

    private static String id(JsonNode object) {
        String namespace = object.path("metadata").path("namespace").asText("");
        return object.path("kind").asText() + "/" + (namespace.isEmpty() ? "" : namespace + "/")
            + object.path("metadata").path("name").asText();
    }
}
