package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryKubernetesTest {

    static final Path CRDS = Path.of("..", "deploy", "crds");
    static final ResourceDefinitionContext GIT_V1 = context("v1");
    static final ResourceDefinitionContext GIT_V1BETA2 = context("v1beta2");

    static InMemoryKubernetes kube;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        client = kube.client();
        kube.installCrds(CRDS);
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    static ResourceDefinitionContext context(String version) {
        return new ResourceDefinitionContext.Builder().withGroup("source.toolkit.fluxcd.io").withVersion(version)
            .withKind("GitRepository").withPlural("gitrepositories").withNamespaced(true).build();
    }

    /** A status condition as Flux's CRD schemas require it (type, status, reason, message, lastTransitionTime). */
    static final String CONDITION = "{\"type\":\"%s\",\"status\":\"%s\",\"reason\":\"Test\",\"message\":\"\","
        + "\"lastTransitionTime\":\"2026-12-06T00:00:00Z\"}";

    static GenericKubernetesResource gitRepository(String version, String ns, String name, String url) {
        return new GenericKubernetesResourceBuilder()
            .withApiVersion("source.toolkit.fluxcd.io/" + version).withKind("GitRepository")
            .withNewMetadata().withNamespace(ns).withName(name).addToLabels("team", "a").endMetadata()
            .addToAdditionalProperties("spec", Map.of("url", url, "interval", "1m"))
            .build();
    }

    static ConfigMap configMap(String ns, String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
            .addToData("k", value).build();
    }

    @Test
    void installsAllCrdsAndServesDiscovery() {
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
            .extracting(c -> c.getMetadata().getName())
            .contains("gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io",
                "helmreleases.helm.toolkit.fluxcd.io", "helmrepositories.source.toolkit.fluxcd.io",
                "providers.notification.toolkit.fluxcd.io", "alerts.notification.toolkit.fluxcd.io",
                "receivers.notification.toolkit.fluxcd.io");
        assertThat(client.getApiResources("v1").getResources()).extracting(r -> r.getName()).contains("configmaps", "namespaces");
        assertThat(client.getApiResources("apps/v1").getResources()).extracting(r -> r.getName()).contains("deployments");
        assertThat(client.getApiResources("source.toolkit.fluxcd.io/v1").getResources())
            .extracting(r -> r.getName()).contains("gitrepositories", "helmrepositories");
        assertThat(client.getApiResources("source.toolkit.fluxcd.io/v1beta2").getResources())
            .extracting(r -> r.getName()).contains("gitrepositories");
        assertThat(client.getApiResources("helm.toolkit.fluxcd.io/v2").getResources())
            .extracting(r -> r.getName()).contains("helmreleases");
        assertThat(client.getApiGroups().getGroups()).extracting(g -> g.getName())
            .contains("apps", "rbac.authorization.k8s.io", "source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io");
        assertThat(client.getApiGroup("source.toolkit.fluxcd.io").getPreferredVersion().getVersion()).isEqualTo("v1");
        assertThat(client.getKubernetesVersion()).isNotNull();
        assertThat(client.getApiResources("source.toolkit.fluxcd.io/v1").getResources())
            .filteredOn(r -> r.getName().equals("gitrepositories")).singleElement()
            .satisfies(r -> {
                assertThat(r.getNamespaced()).isTrue();
                assertThat(r.getKind()).isEqualTo("GitRepository");
                assertThat(r.getShortNames()).containsExactly("gitrepo");
            });
        assertThat(client.getApiResources("rbac.authorization.k8s.io/v1").getResources())
            .filteredOn(r -> r.getName().equals("clusterroles")).singleElement()
            .satisfies(r -> assertThat(r.getNamespaced()).isFalse());
    }

    @Test
    void serverSideApplyCreatesAndUpdatesBuiltInAndCustomKinds() {
        ConfigMap created = client.resource(configMap("default", "ssa", "1")).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(created.getData()).containsEntry("k", "1");
        client.resource(configMap("default", "ssa", "2")).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(client.configMaps().inNamespace("default").withName("ssa").get().getData()).containsEntry("k", "2");

        Deployment d = new DeploymentBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
            .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
            .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
            .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
            .endSpec().build();
        client.resource(d).fieldManager("conflux").forceConflicts().serverSideApply();
        d.getSpec().setReplicas(3);
        client.resource(d).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas()).isEqualTo(3);

        // generic resources through discovery, the way the applier sends rendered manifests
        GenericKubernetesResource cm = new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("ConfigMap")
            .withNewMetadata().withNamespace("default").withName("generic").endMetadata()
            .addToAdditionalProperties("data", Map.of("k", "g")).build();
        client.resource(cm).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(client.configMaps().inNamespace("default").withName("generic").get().getData()).containsEntry("k", "g");

        client.resource(gitRepository("v1", "default", "podinfo", "https://a")).fieldManager("conflux").forceConflicts().serverSideApply();
        client.resource(gitRepository("v1", "default", "podinfo", "https://b")).fieldManager("conflux").forceConflicts().serverSideApply();
        GenericKubernetesResource read = client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("podinfo").get();
        assertThat(read.<String>get("spec", "url")).isEqualTo("https://b");
    }

    @Test
    void serverSideApplyRemovesWhatTheManagerNoLongerApplies() {
        ConfigMap first = configMap("default", "owned", "1");
        first.getMetadata().setLabels(Map.of("keep", "1", "drop", "1"));
        first.getData().put("gone", "x");
        client.resource(first).fieldManager("conflux").forceConflicts().serverSideApply();
        client.configMaps().inNamespace("default").withName("owned")
            .edit(cm -> { cm.getMetadata().getLabels().put("other-manager", "1"); return cm; });

        ConfigMap second = configMap("default", "owned", "2");
        second.getMetadata().setLabels(Map.of("keep", "1"));
        client.resource(second).fieldManager("conflux").forceConflicts().serverSideApply();

        ConfigMap now = client.configMaps().inNamespace("default").withName("owned").get();
        assertThat(now.getMetadata().getLabels()).containsOnlyKeys("keep", "other-manager");
        assertThat(now.getData()).containsOnly(Map.entry("k", "2"));
    }

    @Test
    void clusterScopedKindsIgnoreNamespace() {
        ClusterRole role = new ClusterRoleBuilder().withNewMetadata().withName("reader").withNamespace("ignored").endMetadata()
            .addNewRule().withApiGroups("").withResources("pods").withVerbs("get").endRule().build();
        client.resource(role).fieldManager("conflux").forceConflicts().serverSideApply();
        GenericKubernetesResource generic = new GenericKubernetesResourceBuilder()
            .withApiVersion("rbac.authorization.k8s.io/v1").withKind("ClusterRole")
            .withNewMetadata().withName("generic-reader").withNamespace("ignored").endMetadata().build();
        client.resource(generic).fieldManager("conflux").forceConflicts().serverSideApply();
        client.resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
            .fieldManager("conflux").forceConflicts().serverSideApply();

        List<ClusterRole> roles = client.rbac().clusterRoles().list().getItems();
        assertThat(roles).extracting(r -> r.getMetadata().getName()).contains("reader", "generic-reader");
        assertThat(roles).allSatisfy(r -> assertThat(r.getMetadata().getNamespace()).isNull());
        assertThat(client.rbac().clusterRoles().withName("reader").get()).isNotNull();
        assertThat(client.namespaces().withName("team-a").get().getMetadata().getNamespace()).isNull();
        assertThat(client.apiextensions().v1().customResourceDefinitions()
            .withName("kustomizations.kustomize.toolkit.fluxcd.io").get().getMetadata().getNamespace()).isNull();
    }

    @Test
    void generationUidResourceVersionAndCreationTimestamp() {
        GenericKubernetesResource first = client.resource(gitRepository("v1", "default", "gen", "https://a"))
            .fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(first.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(first.getMetadata().getUid()).isNotBlank();
        assertThat(first.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(first.getMetadata().getCreationTimestamp()).isNotBlank();

        GenericKubernetesResource relabelled = gitRepository("v1", "default", "gen", "https://a");
        relabelled.getMetadata().getLabels().put("extra", "x");
        GenericKubernetesResource afterLabel = client.resource(relabelled).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(afterLabel.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(afterLabel.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
        assertThat(afterLabel.getMetadata().getCreationTimestamp()).isEqualTo(first.getMetadata().getCreationTimestamp());
        assertThat(afterLabel.getMetadata().getResourceVersion()).isNotEqualTo(first.getMetadata().getResourceVersion());

        GenericKubernetesResource afterSpec = client.resource(gitRepository("v1", "default", "gen", "https://b"))
            .fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(afterSpec.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("gen").get()
            .getMetadata().getGeneration()).isEqualTo(2L);

        // the same through update (PUT) and JSON merge patch
        var gen = client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("gen");
        GenericKubernetesResource edited = gen.get();
        edited.setAdditionalProperty("spec", Map.of("url", "https://c", "interval", "1m"));
        assertThat(client.resource(edited).update().getMetadata().getGeneration()).isEqualTo(3L);
        gen.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"a\":\"b\"}}}");
        assertThat(gen.get().getMetadata().getGeneration()).isEqualTo(3L);
        gen.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"url\":\"https://d\"}}");
        assertThat(gen.get().getMetadata().getGeneration()).isEqualTo(4L);
    }

    @Test
    void statusSubresourceIsSeparateFromTheMainResource() {
        client.resource(gitRepository("v1", "default", "st", "https://a")).fieldManager("conflux").forceConflicts().serverSideApply();
        var res = client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("st");

        GenericKubernetesResource withStatus = res.get();
        withStatus.setAdditionalProperty("status", Map.of("observedGeneration", 1, "lastHandledReconcileAt", "one"));
        withStatus.setAdditionalProperty("spec", Map.of("url", "https://changed-by-status-write", "interval", "1m"));
        client.resource(withStatus).updateStatus();
        GenericKubernetesResource after = res.get();
        assertThat(after.<String>get("status", "lastHandledReconcileAt")).isEqualTo("one");
        assertThat(after.<String>get("spec", "url")).isEqualTo("https://a");
        assertThat(after.getMetadata().getGeneration()).isEqualTo(1L);

        GenericKubernetesResource patch = res.get();
        patch.setAdditionalProperty("status", Map.of("observedGeneration", 1, "lastHandledReconcileAt", "two"));
        client.resource(patch).patchStatus();
        assertThat(res.get().<String>get("status", "lastHandledReconcileAt")).isEqualTo("two");

        res.subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), "{\"status\":{\"lastHandledReconcileAt\":\"three\"},\"spec\":{\"url\":\"https://x\"}}");
        assertThat(res.get().<String>get("status", "lastHandledReconcileAt")).isEqualTo("three");
        assertThat(res.get().<String>get("spec", "url")).isEqualTo("https://a");

        // JSON merge patch (RFC 7386): arrays are replaced, not merged; null removes a member
        var merge = io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE);
        res.subresource("status").patch(merge, "{\"status\":{\"conditions\":[" + CONDITION.formatted("Ready", "False") + "," + CONDITION.formatted("Stalled", "True") + "]}}");
        res.subresource("status").patch(merge, "{\"status\":{\"conditions\":[" + CONDITION.formatted("Ready", "True") + "],\"lastHandledReconcileAt\":null}}");
        GenericKubernetesResource replaced = res.get();
        assertThat(replaced.<List<?>>get("status", "conditions")).hasSize(1);
        assertThat(replaced.<String>get("status", "conditions", 0, "status")).isEqualTo("True");
        assertThat(replaced.<String>get("status", "lastHandledReconcileAt")).isNull();
        res.subresource("status").patch(merge, "{\"status\":{\"lastHandledReconcileAt\":\"three\"}}");

        // writes to the main resource ignore status: update (PUT) ...
        GenericKubernetesResource put = res.get();
        put.setAdditionalProperty("status", Map.of("lastHandledReconcileAt", "put-write"));
        client.resource(put).update();
        assertThat(res.get().<String>get("status", "lastHandledReconcileAt")).isEqualTo("three");

        // ... JSON merge patch ...
        res.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"status\":{\"lastHandledReconcileAt\":\"merge-write\"}}");
        assertThat(res.get().<String>get("status", "lastHandledReconcileAt")).isEqualTo("three");

        // ... and server-side apply
        GenericKubernetesResource main = gitRepository("v1", "default", "st", "https://b");
        main.setAdditionalProperty("status", Map.of("lastHandledReconcileAt", "main-write"));
        client.resource(main).fieldManager("conflux").forceConflicts().serverSideApply();
        GenericKubernetesResource last = res.get();
        assertThat(last.<String>get("status", "lastHandledReconcileAt")).isEqualTo("three");
        assertThat(last.<String>get("spec", "url")).isEqualTo("https://b");
        assertThat(last.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void listAndInformerWithLabelSelectorInAnyNamespace() throws Exception {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("w1").endMetadata().build()).serverSideApply();
        client.resource(new NamespaceBuilder().withNewMetadata().withName("w2").endMetadata().build()).serverSideApply();
        ConfigMap a = configMap("w1", "a", "1");
        a.getMetadata().setLabels(Map.of("app", "x"));
        ConfigMap b = configMap("w1", "b", "1");
        b.getMetadata().setLabels(Map.of("app", "y"));
        client.resource(a).serverSideApply();
        client.resource(b).serverSideApply();
        assertThat(client.configMaps().inAnyNamespace().withLabel("app", "x").list().getItems())
            .extracting(c -> c.getMetadata().getName()).containsExactly("a");

        Map<String, String> seen = new ConcurrentHashMap<>();
        List<String> deleted = new CopyOnWriteArrayList<>();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inAnyNamespace().withLabel("app", "x")
            .inform(new ResourceEventHandler<>() {
                @Override public void onAdd(ConfigMap obj) { seen.put(obj.getMetadata().getName(), obj.getData().get("k")); }
                @Override public void onUpdate(ConfigMap o, ConfigMap n) { seen.put(n.getMetadata().getName(), n.getData().get("k")); }
                @Override public void onDelete(ConfigMap obj, boolean unknown) { deleted.add(obj.getMetadata().getName()); }
            });
        try {
            waitFor(() -> "1".equals(seen.get("a")));
            ConfigMap c = configMap("w2", "c", "1");
            c.getMetadata().setLabels(Map.of("app", "x"));
            client.resource(c).serverSideApply();
            ConfigMap a2 = configMap("w1", "a", "2");
            a2.getMetadata().setLabels(Map.of("app", "x"));
            client.resource(a2).serverSideApply();
            ConfigMap b2 = configMap("w1", "b", "2");
            b2.getMetadata().setLabels(Map.of("app", "y"));
            client.resource(b2).serverSideApply();
            waitFor(() -> "1".equals(seen.get("c")) && "2".equals(seen.get("a")));
            client.configMaps().inNamespace("w2").withName("c").delete();
            waitFor(() -> deleted.contains("c"));
            assertThat(seen).doesNotContainKey("b");
        } finally {
            informer.close();
        }
    }

    @Test
    void multiVersionCrdServesEveryVersionFromStorage() throws Exception {
        client.resource(gitRepository("v1beta2", "default", "old", "https://old")).fieldManager("conflux").forceConflicts().serverSideApply();
        GenericKubernetesResource atV1 = client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("old").get();
        assertThat(atV1).isNotNull();
        assertThat(atV1.getApiVersion()).isEqualTo("source.toolkit.fluxcd.io/v1");
        assertThat(client.genericKubernetesResources(GIT_V1).inAnyNamespace().list().getItems())
            .extracting(r -> r.getMetadata().getName() + "@" + r.getApiVersion()).contains("old@source.toolkit.fluxcd.io/v1");

        client.resource(gitRepository("v1", "default", "new", "https://new")).fieldManager("conflux").forceConflicts().serverSideApply();
        GenericKubernetesResource atBeta = client.genericKubernetesResources(GIT_V1BETA2).inNamespace("default").withName("new").get();
        assertThat(atBeta.getApiVersion()).isEqualTo("source.toolkit.fluxcd.io/v1beta2");
        assertThat(client.genericKubernetesResources(GIT_V1BETA2).inNamespace("default").list().getItems())
            .extracting(r -> r.getApiVersion()).containsOnly("source.toolkit.fluxcd.io/v1beta2");

        Map<String, String> seen = new ConcurrentHashMap<>();
        SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(GIT_V1).inAnyNamespace()
            .inform(new ResourceEventHandler<>() {
                @Override public void onAdd(GenericKubernetesResource obj) { seen.put(obj.getMetadata().getName(), obj.getApiVersion()); }
                @Override public void onUpdate(GenericKubernetesResource o, GenericKubernetesResource n) { seen.put(n.getMetadata().getName(), n.getApiVersion()); }
                @Override public void onDelete(GenericKubernetesResource obj, boolean unknown) { }
            });
        try {
            client.resource(gitRepository("v1beta2", "default", "watched", "https://w")).fieldManager("conflux").forceConflicts().serverSideApply();
            waitFor(() -> seen.containsKey("watched") && seen.containsKey("old"));
            assertThat(seen.get("watched")).isEqualTo("source.toolkit.fluxcd.io/v1");
        } finally {
            informer.close();
        }

        // and vice versa: a watch at v1beta2 sees objects applied at v1 as v1beta2
        Map<String, String> seenBeta = new ConcurrentHashMap<>();
        SharedIndexInformer<GenericKubernetesResource> betaInformer = client.genericKubernetesResources(GIT_V1BETA2)
            .inNamespace("default").inform(new ResourceEventHandler<>() {
                @Override public void onAdd(GenericKubernetesResource obj) { seenBeta.put(obj.getMetadata().getName(), obj.getApiVersion()); }
                @Override public void onUpdate(GenericKubernetesResource o, GenericKubernetesResource n) { seenBeta.put(n.getMetadata().getName(), n.getApiVersion()); }
                @Override public void onDelete(GenericKubernetesResource obj, boolean unknown) { }
            });
        try {
            client.resource(gitRepository("v1", "default", "watched-beta", "https://wb")).fieldManager("conflux").forceConflicts().serverSideApply();
            waitFor(() -> seenBeta.containsKey("watched-beta"));
            assertThat(seenBeta.get("watched-beta")).isEqualTo("source.toolkit.fluxcd.io/v1beta2");
            assertThat(seenBeta.get("new")).isEqualTo("source.toolkit.fluxcd.io/v1beta2");
        } finally {
            betaInformer.close();
        }
    }

    @Test
    void namespacedObjectsNeedAnExistingNamespace() {
        assertThat(client.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
            .containsAll(InMemoryKubernetes.INITIAL_NAMESPACES);
        assertThat(client.namespaces().withName("default").get().getStatus().getPhase()).isEqualTo("Active");
        assertThatThrownBy(() -> client.resource(configMap("nowhere", "x", "1")).fieldManager("conflux").forceConflicts().serverSideApply())
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        assertThatThrownBy(() -> client.resource(gitRepository("v1", "nowhere", "x", "https://x")).create())
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
        assertThat(client.configMaps().inNamespace("nowhere").withName("x").get()).isNull();
    }

    @Test
    void deletingANamespaceDeletesItsContents() throws Exception {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("cascade").endMetadata().build()).serverSideApply();
        client.resource(configMap("cascade", "cm", "1")).serverSideApply();
        client.resource(gitRepository("v1beta2", "cascade", "repo", "https://r")).serverSideApply();
        client.resource(configMap("default", "survivor", "1")).serverSideApply();
        List<String> deleted = new CopyOnWriteArrayList<>();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override public void onAdd(ConfigMap obj) { }
            @Override public void onUpdate(ConfigMap o, ConfigMap n) { }
            @Override public void onDelete(ConfigMap obj, boolean unknown) { deleted.add(obj.getMetadata().getNamespace() + "/" + obj.getMetadata().getName()); }
        });
        try {
            client.namespaces().withName("cascade").delete();
            assertThat(client.configMaps().inNamespace("cascade").list().getItems()).isEmpty();
            assertThat(client.genericKubernetesResources(GIT_V1).inNamespace("cascade").list().getItems()).isEmpty();
            assertThat(client.configMaps().inNamespace("default").withName("survivor").get()).isNotNull();
            waitFor(() -> deleted.contains("cascade/cm"));
        } finally {
            informer.close();
        }
    }

    @Test
    void deletingACrdDeletesItsCustomResources() throws Exception {
        try (InMemoryKubernetes own = InMemoryKubernetes.start()) {
            own.installCrds(CRDS);
            KubernetesClient c = own.client();
            c.resource(gitRepository("v1", "default", "r", "https://r")).serverSideApply();
            c.resource(gitRepository("v1", "kube-system", "s", "https://s")).serverSideApply();
            c.apiextensions().v1().customResourceDefinitions().withName("gitrepositories.source.toolkit.fluxcd.io").delete();
            assertThat(c.apiextensions().v1().customResourceDefinitions().withName("gitrepositories.source.toolkit.fluxcd.io").get()).isNull();
            own.installCrds(CRDS);
            assertThat(c.genericKubernetesResources(GIT_V1).inAnyNamespace().list().getItems()).isEmpty();
        }
    }

    @Test
    void deletesObjectsAndNamespaces() {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("doomed").endMetadata().build()).serverSideApply();
        client.resource(configMap("doomed", "x", "1")).serverSideApply();
        assertThat(client.configMaps().inNamespace("doomed").withName("x").delete()).hasSize(1);
        assertThat(client.configMaps().inNamespace("doomed").withName("x").get()).isNull();
        Namespace ns = client.namespaces().withName("doomed").get();
        assertThat(ns).isNotNull();
        client.namespaces().withName("doomed").delete();
        assertThat(client.namespaces().withName("doomed").get()).isNull();
        client.resource(gitRepository("v1", "default", "gone", "https://g")).serverSideApply();
        client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("gone").delete();
        assertThat(client.genericKubernetesResources(GIT_V1).inNamespace("default").withName("gone").get()).isNull();
    }

    @Test
    void kubeconfigWorksForAnotherClient(@TempDir Path dir) throws Exception {
        Path file = kube.writeKubeconfig(dir.resolve("kubeconfig"));
        assertThat(Files.readString(file)).contains("current-context: conflux-local");
        Config config;
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, file.toString());
        try {
            config = Config.autoConfigure(null);
        } finally {
            System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
        }
        assertThat(config.getCurrentContext().getName()).isEqualTo(InMemoryKubernetes.CONTEXT);
        assertThat(config.getMasterUrl()).startsWith(kube.url());
        try (KubernetesClient other = new KubernetesClientBuilder().withConfig(config).build()) {
            other.resource(configMap("default", "from-kubeconfig", "v")).serverSideApply();
            assertThat(client.configMaps().inNamespace("default").withName("from-kubeconfig").get()).isNotNull();
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10s");
            }
            Thread.sleep(20);
        }
    }
}
