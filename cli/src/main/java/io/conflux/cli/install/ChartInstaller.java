package io.conflux.cli.install;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Applies a rendered chart to a cluster as {@code conflux install} does: server-side apply with field manager
 * {@value #FIELD_MANAGER} (conflicts forced, so a re-install takes its fields back), CustomResourceDefinitions first,
 * then the release namespace (created if absent), then the other objects in Helm's install order. Before applying,
 * each object's kind is checked against API discovery, read once per install and group version, so an object of a
 * kind the cluster does not serve fails naming it before anything of its kind is sent.
 */
public final class ChartInstaller {

    /** The field manager of the applied objects. */
    public static final String FIELD_MANAGER = "conflux-install";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private final KubernetesClient client;

    /** @param client the target cluster's client, with the rights to create CRDs and RBAC objects */
    public ChartInstaller(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @param namespace the release namespace
     * @param objects   the rendered objects (JSON-compatible maps), CRDs first as {@link ConfluxChart#render} returns them
     * @param progress  receives one line per object applied, {@code <kind>/<namespace>/<name> applied}
     * @throws io.fabric8.kubernetes.client.KubernetesClientException naming the object the API server refused
     */
    public void apply(String namespace, List<Map<String, Object>> objects, Consumer<String> progress) {
        // discovery once per install: each group version's resources are read the first time an object needs them
        // (the CRDs' group before they are applied, the others after, when the cluster serves what they define)
        Map<String, Set<String>> servedKinds = new HashMap<>();
        List<Map<String, Object>> crds = objects.stream().filter(ChartInstaller::isCrd).toList();
        for (Map<String, Object> crd : crds) {
            progress.accept(applyOne(crd, servedKinds));
        }
        if (client.namespaces().withName(namespace).get() == null) {
            client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
            progress.accept("Namespace/" + namespace + " created");
        }
        for (Map<String, Object> object : objects) {
            if (!isCrd(object)) {
                progress.accept(applyOne(object, servedKinds));
            }
        }
    }

    /** @return the kinds the cluster serves in {@code apiVersion} (empty when it does not serve it) */
    private Set<String> servedKinds(String apiVersion) {
        io.fabric8.kubernetes.api.model.APIResourceList served = client.getApiResources(apiVersion);
        return served == null ? Set.of() : served.getResources().stream()
                .map(io.fabric8.kubernetes.api.model.APIResource::getKind).collect(Collectors.toUnmodifiableSet());
    }

    private String applyOne(Map<String, Object> object, Map<String, Set<String>> servedKinds) {
        GenericKubernetesResource resource = client.getKubernetesSerialization()
                .convertValue(object, GenericKubernetesResource.class);
        String ns = resource.getMetadata().getNamespace();
        String name = resource.getKind() + "/" + (ns == null ? "" : ns + "/") + resource.getMetadata().getName();
        if (!servedKinds.computeIfAbsent(resource.getApiVersion(), this::servedKinds).contains(resource.getKind())) {
            throw new IllegalStateException(name + ": the cluster does not serve " + resource.getApiVersion()
                    + " (install the operator that defines it, or disable it in the values)");
        }
        try {
            client.resource(resource).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
        return name + " applied";
    }

    private static boolean isCrd(Map<String, Object> object) {
        return "CustomResourceDefinition".equals(object.get("kind"));
    }

    /** @return the objects as one YAML stream, documents separated by {@code ---} */
    public static String yaml(List<Map<String, Object>> objects) {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> object : objects) {
            try {
                out.append("---\n").append(YAML.writeValueAsString(object));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot print " + object.get("kind"), e);
            }
        }
        return out.toString();
    }
}
