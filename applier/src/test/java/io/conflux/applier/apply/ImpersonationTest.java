package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.AccessRequest;
import io.conflux.embedded.Authorizer;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.model.meta.SecretKeyReference;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spec.serviceAccountName: what the API server sees, and what a refusal does to the apply. */
class ImpersonationTest {
    static InMemoryKubernetes cluster;
    static KubernetesClient client;
    static final Map<String, String> OWNER = Map.of("kustomize.toolkit.fluxcd.io/name", "apps",
            "kustomize.toolkit.fluxcd.io/namespace", "apps");
    static final String DEPLOYER = "system:serviceaccount:apps:deployer";
    final List<AccessRequest> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        cluster = InMemoryKubernetes.start();
        client = cluster.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName("apps").endMetadata().build()).create();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @AfterEach
    void allowAll() {
        cluster.authorize(Authorizer.ALLOW_ALL);
    }

    @Test
    void appliesPrunesAndReadsHealthAsTheServiceAccount() {
        cluster.authorize(r -> seen.add(r) || true);
        try (TargetClusters targets = new TargetClusters(client)) {
            KubernetesClient target = targets.forObject("apps", null, "deployer").client();
            ObjectApplier applier = new ObjectApplier(target, "conflux");
            ApplyResult first = applier.apply(List.of(configMap("one"), configMap("two")), OWNER, List.of(), true);
            assertThat(first.error()).isNull();
            ApplyResult second = applier.apply(List.of(configMap("one")), OWNER, first.inventory(), true);
            assertThat(second.changes()).extracting(Change::toString).contains("ConfigMap/apps/two deleted");
            assertThat(new HealthChecker(target, Duration.ofMillis(50)).await(second.inventory(), Duration.ofSeconds(5))).isEmpty();
        }
        assertThat(seen).extracting(AccessRequest::verb).contains("get", "patch", "delete");
        assertThat(seen).allSatisfy(r -> {
            assertThat(r.user()).isEqualTo(DEPLOYER);
            // no Impersonate-Group: the API server derives a service account's groups itself (as for Flux's controllers)
            assertThat(r.groups()).isEmpty();
        });
    }

    @Test
    void defaultServiceAccountAppliesWhenTheObjectNamesNone() {
        cluster.authorize(r -> seen.add(r) || true);
        try (TargetClusters targets = new TargetClusters(client, Optional.of("flux-applier"))) {
            targets.forObject("apps", null, null).client().configMaps().inNamespace("apps").list();
            targets.forObject("apps", null, "deployer").client().configMaps().inNamespace("apps").list();
        }
        try (TargetClusters targets = new TargetClusters(client, Optional.empty())) {
            targets.forObject("apps", null, " ").client().configMaps().inNamespace("apps").list();
        }
        assertThat(seen).extracting(AccessRequest::user)
                .containsExactly("system:serviceaccount:apps:flux-applier", DEPLOYER, AccessRequest.ADMIN);
    }

    @Test
    void impersonatesOnTopOfTheKubeConfigSecretsCluster(@TempDir Path dir) throws Exception {
        String kubeconfig = Files.readString(cluster.writeKubeconfig(dir.resolve("kubeconfig")));
        client.resource(new SecretBuilder().withNewMetadata().withNamespace("apps").withName("remote").endMetadata()
                .addToData("value", Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        cluster.authorize(r -> seen.add(r) || true);
        try (TargetClusters targets = new TargetClusters(client)) {
            targets.forObject("apps", new KubeConfigReference(new SecretKeyReference("remote", null)), "deployer")
                    .client().configMaps().inNamespace("apps").list();
        }
        // the management cluster reads the Secret as the applier, the target cluster is asked as the service account
        assertThat(seen).extracting(r -> r.verb() + " " + r.resource() + " " + r.user())
                .containsExactly("get secrets " + AccessRequest.ADMIN, "list configmaps " + DEPLOYER);
    }

    @Test
    void aRefusalFailsTheApplyWithTheServersMessageAndPrunesNothing() {
        ObjectApplier admin = new ObjectApplier(client, "conflux");
        ApplyResult before = admin.apply(List.of(configMap("kept"), configMap("stale")), OWNER, List.of(), true);
        assertThat(before.error()).isNull();
        cluster.authorize(r -> !(r.user().equals(DEPLOYER) && r.verb().equals("patch")));
        try (TargetClusters targets = new TargetClusters(client)) {
            ApplyResult denied = new ObjectApplier(targets.forObject("apps", null, "deployer").client(), "conflux")
                    .apply(List.of(configMap("kept")), OWNER, before.inventory(), true);
            assertThat(denied.succeeded()).isFalse();
            assertThat(denied.reason()).isEqualTo("ReconciliationFailed");
            assertThat(denied.error()).isEqualTo("ConfigMap/apps/kept apply failed: configmaps \"kept\" is forbidden: User \""
                    + DEPLOYER + "\" cannot patch resource \"configmaps\" in API group \"\" in the namespace \"apps\"");
            assertThat(denied.inventory()).containsExactlyInAnyOrderElementsOf(before.inventory());
        }
        assertThat(client.configMaps().inNamespace("apps").withName("stale").get()).isNotNull();
    }

    private static Map<String, Object> configMap(String name) {
        return Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", name, "namespace", "apps"),
                "data", Map.of("k", name));
    }
}
