package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
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

    /** Flux's ApplyAllStaged: definitions, then class objects (which other objects name), then the rest. */
    @Test
    void appliesClassObjectsAfterDefinitionsAndBeforeTheRest() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        List<Map<String, Object>> bundle = objects("""
                [{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data","namespace":"storage"},
                  "spec":{"storageClassName":"fast","accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}},
                 {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast"},"provisioner":"example.com/fast"},
                 {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"storage"}},
                 {"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"critical"},"value":1000}]
                """);
        ApplyResult result = applier.apply(bundle, OWNER, List.of(), new ApplyOptions(false, false, Duration.ofSeconds(10),
                true, Duration.ofMillis(50)));

        assertThat(result.error()).isNull();
        assertThat(result.changes()).extracting(Change::toString).containsExactly("Namespace/storage created",
                "StorageClass/fast created", "PriorityClass/critical created", "PersistentVolumeClaim/storage/data created");
        assertThat(ObjectApplier.isClass("IngressClass")).isTrue();
        assertThat(ObjectApplier.isClass("ClusterRole")).isFalse();
    }

    @Test
    void driftNamesTheObjectAndTheFieldsThatDiffered() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        List<Map<String, Object>> bundle = objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"drifting","namespace":"default"},"data":{"a":"1","b":"1"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"steady","namespace":"default"},"data":{"a":"1"}}]
                """);
        ApplyResult first = applier.apply(bundle, OWNER, List.of(), true);
        assertThat(first.error()).isNull();
        client.configMaps().inNamespace("default").withName("drifting")
                .edit(cm -> new ConfigMapBuilder(cm).addToData("a", "edited").build());

        ApplyResult corrected = applier.apply(bundle, OWNER, first.inventory(), true);

        assertThat(corrected.changes()).extracting(Change::toString)
                .containsExactly("ConfigMap/default/drifting configured", "ConfigMap/default/steady unchanged");
        assertThat(corrected.changes().get(0).fields()).containsExactly("data.a");
        assertThat(corrected.drift()).isEqualTo("ConfigMap/default/drifting configured (data.a)");
        assertThat(corrected.changeSet()).isEqualTo("ConfigMap/default/drifting configured");
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
    void pruneSkipsAnObjectAnotherKustomizationTookOver() {
        Map<String, String> other = Map.of("kustomize.toolkit.fluxcd.io/name", "infra",
                "kustomize.toolkit.fluxcd.io/namespace", "flux-system");
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        ApplyResult first = applier.apply(objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"moved","namespace":"default"},"data":{"a":"1"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"reconcile-off","namespace":"default"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"left","namespace":"default"}}]
                """), OWNER, List.of(), true);
        assertThat(first.error()).isNull();
        // the infra Kustomization now applies "moved" (its owner labels replace apps'), and someone turned
        // reconciliation off on "reconcile-off" in the cluster
        ApplyResult takenOver = applier.apply(objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"moved","namespace":"default"},"data":{"a":"2"}}]
                """), other, List.of(), true);
        assertThat(takenOver.error()).isNull();
        client.configMaps().inNamespace("default").withName("reconcile-off")
                .edit(cm -> new ConfigMapBuilder(cm).editMetadata()
                        .addToAnnotations("kustomize.toolkit.fluxcd.io/reconcile", "disabled").endMetadata().build());

        ApplyResult pruned = applier.apply(List.of(), OWNER, first.inventory(), true);

        assertThat(pruned.error()).isNull();
        assertThat(pruned.changes()).extracting(Change::toString).containsExactlyInAnyOrder(
                "ConfigMap/default/moved skipped", "ConfigMap/default/reconcile-off skipped", "ConfigMap/default/left deleted");
        ConfigMap moved = client.configMaps().inNamespace("default").withName("moved").get();
        assertThat(moved).isNotNull();
        assertThat(moved.getData()).containsEntry("a", "2");
        assertThat(client.configMaps().inNamespace("default").withName("reconcile-off").get()).isNotNull();
        assertThat(client.configMaps().inNamespace("default").withName("left").get()).isNull();
    }

    @Test
    void ssaIgnoreInTheManifestOrTheClusterLeavesTheObjectAlone() {
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("ignored-here")
                .endMetadata().addToData("a", "live").build()).create();
        client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("ignored-there")
                .addToAnnotations("kustomize.toolkit.fluxcd.io/ssa", "Ignore").endMetadata().addToData("a", "live").build()).create();
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        ApplyResult result = applier.apply(objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ignored-here","namespace":"default",
                   "annotations":{"kustomize.toolkit.fluxcd.io/ssa":"Ignore"}},"data":{"a":"bundle"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ignored-there","namespace":"default"},"data":{"a":"bundle"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ignored-absent","namespace":"default",
                   "annotations":{"kustomize.toolkit.fluxcd.io/ssa":"ignore"}},"data":{"a":"bundle"}}]
                """), OWNER, List.of(), true);

        assertThat(result.error()).isNull();
        assertThat(result.changes()).extracting(Change::toString).containsExactly("ConfigMap/default/ignored-here unchanged",
                "ConfigMap/default/ignored-there unchanged", "ConfigMap/default/ignored-absent unchanged");
        assertThat(result.changeSet()).isEmpty();
        for (String name : List.of("ignored-here", "ignored-there")) {
            ConfigMap live = client.configMaps().inNamespace("default").withName(name).get();
            assertThat(live.getData()).containsEntry("a", "live");
            assertThat(live.getMetadata().getLabels()).isNullOrEmpty();
        }
        assertThat(client.configMaps().inNamespace("default").withName("ignored-absent").get()).isNull();
    }

    @Test
    void ssaIfNotPresentCreatesTheObjectOnceAndNeverOverwritesIt() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        String manifest = """
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"seeded","namespace":"default",
                   "annotations":{"kustomize.toolkit.fluxcd.io/ssa":"IfNotPresent"}},"data":{"a":"%s"}}]
                """;
        ApplyResult created = applier.apply(objects(manifest.formatted("1")), OWNER, List.of(), true);
        assertThat(created.changes()).extracting(Change::toString).containsExactly("ConfigMap/default/seeded created");
        client.configMaps().inNamespace("default").withName("seeded")
                .edit(cm -> new ConfigMapBuilder(cm).addToData("a", "edited").build());

        ApplyResult again = applier.apply(objects(manifest.formatted("2")), OWNER, created.inventory(), true);

        assertThat(again.error()).isNull();
        assertThat(again.changes()).extracting(Change::toString).containsExactly("ConfigMap/default/seeded unchanged");
        assertThat(again.inventory()).extracting(InventoryEntry::id).containsExactly("default_seeded__ConfigMap");
        assertThat(client.configMaps().inNamespace("default").withName("seeded").get().getData()).containsEntry("a", "edited");
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

    @Test
    void immutableChangeFailsWithTheApiServersMessageUnlessForcedThenRecreates() {
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        ApplyOptions plain = new ApplyOptions(true, false, Duration.ofSeconds(10));
        ApplyResult first = applier.apply(List.of(job("migrate", "migrate:1", null)), OWNER, List.of(), plain);
        assertThat(first.error()).isNull();
        String uid = client.batch().v1().jobs().inNamespace("default").withName("migrate").get().getMetadata().getUid();

        ApplyResult refused = applier.apply(List.of(job("migrate", "migrate:2", null)), OWNER, first.inventory(), plain);
        assertThat(refused.succeeded()).isFalse();
        assertThat(refused.error()).startsWith("Job/default/migrate apply failed: Job.batch \"migrate\" is invalid: spec.template")
                .endsWith("field is immutable");
        assertThat(image("migrate")).isEqualTo("migrate:1");

        ApplyResult forced = applier.apply(List.of(job("migrate", "migrate:2", null)), OWNER, first.inventory(),
                new ApplyOptions(true, true, Duration.ofSeconds(10)));
        assertThat(forced.error()).isNull();
        assertThat(forced.changes()).extracting(Change::toString).containsExactly("Job/default/migrate created");
        assertThat(image("migrate")).isEqualTo("migrate:2");
        assertThat(client.batch().v1().jobs().inNamespace("default").withName("migrate").get().getMetadata().getUid())
                .isNotEqualTo(uid);

        // kustomize.toolkit.fluxcd.io/force: enabled on the object forces it without spec.force
        ApplyResult annotated = applier.apply(List.of(job("migrate", "migrate:3", "enabled")), OWNER, forced.inventory(), plain);
        assertThat(annotated.error()).isNull();
        assertThat(image("migrate")).isEqualTo("migrate:3");
    }

    @Test
    void kubectlFieldsAreTakenOverUnlessTheObjectMerges() {
        String lastApplied = "kubectl.kubernetes.io/last-applied-configuration";
        try (KubernetesClient kubectl = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent("kubectl-client-side-apply/v1.31.0").build()).build()) {
            for (String name : List.of("taken", "merged", "merged-in-cluster")) {
                kubectl.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName(name)
                        .addToAnnotations(lastApplied, "{}").addToLabels("team", "a")
                        .addToAnnotations(name.equals("merged-in-cluster") ? Map.of("kustomize.toolkit.fluxcd.io/ssa", "Merge") : Map.of())
                        .endMetadata().addToData("a", "1").addToData("extra", "x").build()).create();
            }
        }
        ObjectApplier applier = new ObjectApplier(client, "conflux");
        ApplyOptions options = new ApplyOptions(false, false, Duration.ofSeconds(10));
        ApplyResult result = applier.apply(objects("""
                [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"taken","namespace":"default"},"data":{"a":"2"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"merged","namespace":"default",
                   "annotations":{"kustomize.toolkit.fluxcd.io/ssa":"Merge"}},"data":{"a":"2"}},
                 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"merged-in-cluster","namespace":"default"},"data":{"a":"2"}}]
                """), OWNER, List.of(), options);
        assertThat(result.error()).isNull();

        ConfigMap taken = client.configMaps().inNamespace("default").withName("taken").get();
        assertThat(taken.getData()).containsOnly(Map.entry("a", "2"));
        assertThat(taken.getMetadata().getAnnotations()).doesNotContainKey(lastApplied);
        assertThat(taken.getMetadata().getLabels()).doesNotContainKey("team").containsAllEntriesOf(OWNER);
        assertThat(taken.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager).containsExactly("conflux");

        for (String name : List.of("merged", "merged-in-cluster")) {
            ConfigMap merged = client.configMaps().inNamespace("default").withName(name).get();
            assertThat(merged.getData()).containsEntry("a", "2").containsEntry("extra", "x");
            assertThat(merged.getMetadata().getAnnotations()).containsKey(lastApplied);
            assertThat(merged.getMetadata().getLabels()).containsEntry("team", "a");
            assertThat(merged.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
                    .contains("kubectl-client-side-apply", "conflux");
        }
    }

    private static Map<String, Object> job(String name, String image, String force) {
        Map<String, Object> metadata = new java.util.LinkedHashMap<>(Map.of("name", name, "namespace", "default"));
        if (force != null) {
            metadata.put("annotations", Map.of(ObjectApplier.FORCE_ANNOTATION, force));
        }
        return Map.of("apiVersion", "batch/v1", "kind", "Job", "metadata", metadata,
                "spec", Map.of("template", Map.of("spec", Map.of("restartPolicy", "Never",
                        "containers", List.of(Map.of("name", "m", "image", image))))));
    }

    private static String image(String job) {
        return client.batch().v1().jobs().inNamespace("default").withName(job).get().getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> objects(String json) {
        return Serialization.unmarshal(json, List.class);
    }
}
