package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Field ownership, immutable fields and authorization: where the in-memory server now answers like a real one. */
class ApiServerSemanticsTest {
    static InMemoryKubernetes kube;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        client = kube.client();
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    @AfterEach
    void allowAll() {
        kube.authorize(Authorizer.ALLOW_ALL);
    }

    @Test
    void applyKeepsFieldsOwnedByOtherManagersAndRecordsOwnership() {
        ConfigMap byKubectl = new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("shared")
            .addToLabels("team", "a").endMetadata().addToData("a", "1").addToData("extra", "x").build();
        // the manager of a write without ?fieldManager= is the User-Agent's product name, as on a real server
        try (KubernetesClient kubectl = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
            .withUserAgent("kubectl-client-side-apply/v1.31.0").build()).build()) {
            kubectl.resource(byKubectl).create();
        }

        ConfigMap applied = new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName("shared")
            .endMetadata().addToData("a", "2").build();
        client.resource(applied).fieldManager("conflux").forceConflicts().serverSideApply();

        ConfigMap now = client.configMaps().inNamespace("default").withName("shared").get();
        assertThat(now.getData()).containsEntry("a", "2").containsEntry("extra", "x");
        assertThat(now.getMetadata().getLabels()).containsEntry("team", "a");
        assertThat(now.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
            .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("kubectl-client-side-apply", "Update"),
                org.assertj.core.groups.Tuple.tuple("conflux", "Apply"));
        ManagedFieldsEntry kubectl = now.getMetadata().getManagedFields().stream()
            .filter(e -> e.getManager().equals("kubectl-client-side-apply")).findFirst().orElseThrow();
        // data.a moved to the forcing manager, data.extra and the label stay with kubectl
        assertThat(kubectl.getFieldsV1().getAdditionalProperties().toString()).contains("f:extra").doesNotContain("f:a=");

        // once kubectl's fields are handed to conflux (Flux's takeover), the next apply removes them
        List<ManagedFieldsEntry> takenOver = now.getMetadata().getManagedFields().stream()
            .map(e -> e.getManager().equals("kubectl-client-side-apply") ? new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder(e)
                .withManager("conflux-takeover").withOperation("Apply").build() : e).toList();
        client.configMaps().inNamespace("default").withName("shared").patch(PatchContext.of(PatchType.JSON),
            io.fabric8.kubernetes.client.utils.Serialization.asJson(List.of(java.util.Map.of("op", "replace",
                "path", "/metadata/managedFields", "value", takenOver))));
        assertThat(client.configMaps().inNamespace("default").withName("shared").get().getMetadata().getManagedFields())
            .extracting(ManagedFieldsEntry::getManager).containsExactlyInAnyOrder("conflux-takeover", "conflux");
        client.resource(applied).fieldManager("conflux-takeover").forceConflicts().serverSideApply();
        ConfigMap after = client.configMaps().inNamespace("default").withName("shared").get();
        assertThat(after.getData()).containsOnlyKeys("a");
        assertThat(after.getMetadata().getLabels()).doesNotContainKey("team");
    }

    @Test
    void immutableFieldsAreRefusedWith422() {
        Job job = new JobBuilder().withNewMetadata().withNamespace("default").withName("migrate").endMetadata()
            .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("m").withImage("migrate:1")
            .endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec().build();
        client.resource(job).fieldManager("conflux").forceConflicts().serverSideApply();
        job.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("migrate:2");
        assertThatThrownBy(() -> client.resource(job).fieldManager("conflux").forceConflicts().serverSideApply())
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                assertThat(e.getStatus().getMessage()).startsWith("Job.batch \"migrate\" is invalid: spec.template")
                    .endsWith("field is immutable");
            });
        assertThat(client.batch().v1().jobs().inNamespace("default").withName("migrate").get().getSpec().getTemplate()
            .getSpec().getContainers().get(0).getImage()).isEqualTo("migrate:1");

        Deployment d = new DeploymentBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
            .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
            .withNewTemplate().withNewMetadata().addToLabels("app", "web").addToLabels("v", "2").endMetadata()
            .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
            .endSpec().build();
        client.resource(d).create();
        d.getSpec().getSelector().getMatchLabels().put("v", "2");
        assertThatThrownBy(() -> client.apps().deployments().inNamespace("default").withName("web")
            .edit(x -> { x.getSpec().getSelector().getMatchLabels().put("v", "2"); return x; }))
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

        Service svc = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("db").endMetadata()
            .withNewSpec().withClusterIP("10.0.0.7").addNewPort().withPort(5432).endPort().endSpec().build();
        client.resource(svc).fieldManager("conflux").forceConflicts().serverSideApply();
        svc.getSpec().setClusterIP(null);
        client.resource(svc).fieldManager("conflux").forceConflicts().serverSideApply();
        assertThat(client.services().inNamespace("default").withName("db").get().getSpec().getClusterIP()).isEqualTo("10.0.0.7");
        svc.getSpec().setClusterIP("10.0.0.8");
        assertThatThrownBy(() -> client.resource(svc).fieldManager("conflux").forceConflicts().serverSideApply())
            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getMessage())
                .contains("spec.clusterIP").contains("field is immutable"));
    }

    @Test
    void authorizerSeesImpersonationAndRefusesWith403() {
        List<AccessRequest> seen = new CopyOnWriteArrayList<>();
        kube.authorize(r -> {
            seen.add(r);
            return !(r.user().startsWith("system:serviceaccount:") && r.verb().equals("create"));
        });
        try (KubernetesClient impersonating = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
            .withImpersonateUsername("system:serviceaccount:apps:deployer")
            .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:apps").build()).build()) {
            assertThat(impersonating.configMaps().inNamespace("default").list().getItems()).isNotNull();
            assertThatThrownBy(() -> impersonating.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("default")
                .withName("denied").endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(403);
                    assertThat(e.getStatus().getMessage()).isEqualTo("configmaps is forbidden: User "
                        + "\"system:serviceaccount:apps:deployer\" cannot create resource \"configmaps\" in API group \"\""
                        + " in the namespace \"default\"");
                });
        }
        assertThat(seen).extracting(AccessRequest::verb).containsExactly("list", "create");
        assertThat(seen).allSatisfy(r -> assertThat(r.groups())
            .containsExactly("system:serviceaccounts", "system:serviceaccounts:apps"));
        assertThat(client.configMaps().inNamespace("default").withName("denied").get()).isNull();
        assertThat(seen.get(seen.size() - 1).user()).isEqualTo(AccessRequest.ADMIN);
    }
}
