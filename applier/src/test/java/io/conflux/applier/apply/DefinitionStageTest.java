package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.embedded.WorkloadController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A bundle holding a CustomResourceDefinition and custom resources of it, applied in kustomize-controller's stages.
 * The in-memory API server, as kube-apiserver, establishes a CRD on its write unless its names conflict with another
 * CRD's of the group (then {@code NamesAccepted=False}, never Established). It serves a custom resource as soon as
 * its CRD is stored; a real one only once the CRD is Established. The authorizer below makes sure the applier waits:
 * it refuses every request for a custom kind until the applier has read the CRD back after writing it (its wait for
 * {@code Established}).
 */
class DefinitionStageTest {
    static final Map<String, String> OWNER = Map.of("kustomize.toolkit.fluxcd.io/name", "crds",
            "kustomize.toolkit.fluxcd.io/namespace", "default");
    InMemoryKubernetes cluster;
    WorkloadController controller;
    KubernetesClient client;
    final Set<String> written = ConcurrentHashMap.newKeySet();
    final Set<String> checked = ConcurrentHashMap.newKeySet();
    final List<String> refused = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        cluster = InMemoryKubernetes.start();
        client = cluster.client();
        cluster.authorize(request -> {
            if ("customresourcedefinitions".equals(request.resource()) && request.name() != null) {
                if (Set.of("create", "update", "patch").contains(request.verb())) {
                    written.add(request.name());
                } else if ("get".equals(request.verb()) && written.contains(request.name())) {
                    checked.add(request.name()); // the applier reads the status of the CRD it wrote
                }
            }
            if (request.group().equals("example.com") && !checked.contains(request.resource() + ".example.com")) {
                refused.add(request.verb() + " " + request.resource() + "/" + request.name());
                return false;
            }
            return true;
        });
        controller = WorkloadController.start(client, Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        controller.close();
        cluster.close();
    }

    @Test
    void customResourcesAreAppliedOnceTheirDefinitionIsEstablished() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        ApplyResult result = applier.apply(objects("""
                [{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"shop"},"spec":{"size":1}},
                 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}},
                 %s]
                """.formatted(crd("widgets", "Widget", "Namespaced"))), OWNER, List.of(),
                new ApplyOptions(true, false, Duration.ofSeconds(20), true, Duration.ofMillis(100)));

        assertThat(result.error()).isNull();
        assertThat(result.changes()).extracting(Change::toString).containsExactly("Namespace/shop created",
                "CustomResourceDefinition/widgets.example.com created", "Widget/shop/w created");
        assertThat(refused).isEmpty();
        assertThat(client.genericKubernetesResources("example.com/v1", "Widget").inNamespace("shop").withName("w").get())
                .isNotNull();
    }

    @Test
    void aDefinitionWhoseNamesConflictFailsTheApplyAtOnceBeforeAnyCustomResource() {
        // another CRD of the group holds the singular "gadget": the API server never establishes gadgets.example.com
        client.resource(Serialization.unmarshal(crd("gizmos", "Gizmo", "Cluster").replace("\"kind\":\"Gizmo\"}",
                "\"kind\":\"Gizmo\",\"shortNames\":[\"gadget\"]}"), HasMetadata.class))
                .create();
        InventoryEntry old = InventoryEntry.of("v1", "ConfigMap", "default", "old");
        ApplyResult result = new ObjectApplier(client, "conflux").apply(objects("""
                [{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"}},
                 %s]
                """.formatted(crd("gadgets", "Gadget", "Cluster"))), OWNER, List.of(old),
                new ApplyOptions(true, false, Duration.ofMillis(800), true, Duration.ofMillis(100)));

        assertThat(result.succeeded()).isFalse();
        // kstatus calls a CRD with NamesAccepted=False Failed (it never becomes Established): no wait for the timeout
        assertThat(result.error()).startsWith("CustomResourceDefinition/gadgets.example.com status: 'Failed': SingularConflict: ")
                .contains("\"gadget\" is already in use");
        assertThat(result.changes()).extracting(Change::toString).containsExactly("CustomResourceDefinition/gadgets.example.com created");
        assertThat(result.inventory()).extracting(InventoryEntry::id)
                .containsExactly("default_old__ConfigMap", "_gadgets.example.com_apiextensions.k8s.io_CustomResourceDefinition");
        assertThat(client.configMaps().inNamespace("default").withName("settings").get()).isNull();
        assertThat(refused).isEmpty();
    }

    @Test
    void theScopeOfAKindIsLearntFromItsDefinitionWithoutDiscovery() {
        ScopeResolver scopes = new ScopeResolver(client);
        scopes.learn(objects("[" + crd("things", "Thing", "Namespaced") + "," + crd("globals", "Global", "Cluster") + "]").get(0));
        scopes.learn(objects("[" + crd("globals", "Global", "Cluster") + "]").get(0));

        // neither CRD is on the cluster: discovery would answer "no matches for kind"
        assertThat(scopes.namespaced("example.com/v1", "Thing")).isTrue();
        assertThat(scopes.namespaced("example.com/v1alpha1", "Thing")).isTrue();
        assertThat(scopes.namespaced("example.com/v1", "Global")).isFalse();
        assertThat(scopes.namespaced("v1", "ConfigMap")).isTrue();
    }

    private static String crd(String plural, String kind, String scope) {
        return """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"%1$s.example.com"},
                 "spec":{"group":"example.com","scope":"%3$s","names":{"plural":"%1$s","singular":"%4$s","kind":"%2$s"},
                  "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
                    "x-kubernetes-preserve-unknown-fields":true}}},
                   {"name":"v1alpha1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object",
                    "x-kubernetes-preserve-unknown-fields":true}}}]}}
                """.formatted(plural, kind, scope, kind.toLowerCase(java.util.Locale.ROOT));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(String json) {
        return Serialization.unmarshal(json, List.class);
    }
}
