package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Applies bundles through fabric8 to the in-memory API server (the same calls a real cluster gets). */
class ObjectApplierTest {
    static InMemoryKubernetes cluster;
    static KubernetesClient client;
    static final Map<String, String> OWNER = Map.of("kustomize.toolkit.fluxcd.io/name", "apps",
            "kustomize.toolkit.fluxcd.io/namespace", "default");

    @BeforeAll
    static void start() {
        cluster = InMemoryKubernetes.start();
        cluster.installCrds(Path.of("../deploy/crds"));
        client = cluster.client();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void appliesNamespaceFirstThenPrunesWhatLeftTheBundle() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        List<Map<String, Object>> bundle = objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"team"},"data":{"a":"1"}},
                 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}},
                 {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"reader","namespace":"ignored"},"rules":[]},
                 {"apiVersion":"source.toolkit.fluxcd.io/v1beta2","kind":"GitRepository","metadata":{"name":"podinfo","namespace":"team"},"spec":{"url":"https://x","interval":"1m"}}]
                """);
        ApplyResult first = applier.apply(bundle, OWNER, List.of(), true);

        assertThat(first.error()).isNull();
        assertThat(first.changes()).extracting(Change::toString).containsExactly(
                "Namespace/team created", "ConfigMap/team/settings created", "ClusterRole/reader created",
                "GitRepository/team/podinfo created");
        assertThat(first.inventory()).extracting(InventoryEntry::id).contains(
                "_team__Namespace", "team_settings__ConfigMap", "_reader_rbac.authorization.k8s.io_ClusterRole",
                "team_podinfo_source.toolkit.fluxcd.io_GitRepository");
        ConfigMap cm = client.configMaps().inNamespace("team").withName("settings").get();
        assertThat(cm.getMetadata().getLabels()).containsAllEntriesOf(OWNER);

        List<Map<String, Object>> changed = new ArrayList<>(bundle.subList(1, 4));
        changed.add(objects("[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\",\"namespace\":\"team\"},\"data\":{\"a\":\"2\"}}]").get(0));
        ApplyResult second = applier.apply(changed, OWNER, first.inventory(), true);
        assertThat(second.changes()).extracting(Change::toString).contains("ConfigMap/team/settings configured");

        ApplyResult third = applier.apply(bundle.subList(1, 3), OWNER, second.inventory(), true);
        assertThat(third.error()).isNull();
        assertThat(third.changes()).extracting(Change::toString).contains("GitRepository/team/podinfo deleted");
        assertThat(client.configMaps().inNamespace("team").withName("settings").get()).isNull();
        assertThat(third.inventory()).hasSize(2);
    }

    @Test
    void pruneDisabledAnnotationKeepsTheObjectAndNoPruneKeepsEverything() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        List<Map<String, Object>> bundle = objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep","namespace":"default",
                   "annotations":{"kustomize.toolkit.fluxcd.io/prune":"disabled"}}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"go","namespace":"default"}}]
                """);
        ApplyResult first = applier.apply(bundle, OWNER, List.of(), true);
        ApplyResult notPruning = applier.apply(List.of(), OWNER, first.inventory(), false);
        assertThat(notPruning.changes()).isEmpty();
        assertThat(client.configMaps().inNamespace("default").withName("go").get()).isNotNull();

        ApplyResult pruned = applier.apply(List.of(), OWNER, first.inventory(), true);
        assertThat(pruned.changes()).extracting(Change::toString)
                .containsExactlyInAnyOrder("ConfigMap/default/keep skipped", "ConfigMap/default/go deleted");
        assertThat(client.configMaps().inNamespace("default").withName("keep").get()).isNotNull();
    }

    @Test
    void unknownKindFailsNamingTheObjectAndKeepsPreviousInventory() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        InventoryEntry old = InventoryEntry.of("v1", "ConfigMap", "default", "old");
        ApplyResult result = applier.apply(objects("""
                [{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"default"}}]
                """), OWNER, List.of(old), true);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.error()).contains("Widget/default/w").contains("no matches for kind");
        assertThat(result.inventory()).containsExactly(old);
    }

    @Test
    void inventoryIdsRoundTripFluxFormat() {
        InventoryEntry e = InventoryEntry.of("apps/v1", "Deployment", "podinfo-git", "podinfo");
        assertThat(e.id()).isEqualTo("podinfo-git_podinfo_apps_Deployment");
        assertThat(InventoryEntry.fromRef(e.toRef())).isEqualTo(e);
        assertThat(InventoryEntry.of("v1", "Namespace", null, "x").subject()).isEqualTo("Namespace/x");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(String json) {
        return Serialization.unmarshal(json, List.class);
    }
}
