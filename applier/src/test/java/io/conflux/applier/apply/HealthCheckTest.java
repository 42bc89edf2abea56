package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kstatus rules, and waiting for a Deployment whose controller (here: the test) reports it available. */
class HealthCheckTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        try {
            return YAML.readValue(text, Map.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** kstatus' CRDConditions: a name conflict never resolves by waiting, so it is Failed, not InProgress. */
    @Test
    void kstatusRulesForCustomResourceDefinitions() {
        HealthStatus.Result conflict = HealthStatus.of(yaml("{kind: CustomResourceDefinition, status: {conditions: ["
                + "{type: NamesAccepted, status: 'False', reason: SingularConflict, message: '\"gadget\" is already in use'},"
                + "{type: Established, status: 'False', reason: NotAccepted, message: not all names are accepted}]}}"));
        assertThat(conflict.failed()).isTrue();
        assertThat(conflict.current()).isFalse();
        assertThat(conflict.message()).isEqualTo("SingularConflict: \"gadget\" is already in use");
        assertThat(HealthStatus.of(yaml("{kind: CustomResourceDefinition, status: {conditions: ["
                + "{type: Established, status: 'False', reason: Terminating, message: deleting}]}}")).failed()).isTrue();
        HealthStatus.Result installing = HealthStatus.of(yaml("{kind: CustomResourceDefinition, status: {conditions: ["
                + "{type: Established, status: 'False', reason: Installing, message: waiting}]}}"));
        assertThat(installing.failed()).isFalse();
        assertThat(installing.current()).isFalse();
        assertThat(installing.message()).isEqualTo("Install in progress");
        assertThat(HealthStatus.of(yaml("{kind: CustomResourceDefinition}")).current()).isFalse();
        assertThat(HealthStatus.of(yaml("{kind: CustomResourceDefinition, status: {conditions: ["
                + "{type: NamesAccepted, status: 'True'}, {type: Established, status: 'True'}]}}")).current()).isTrue();
    }

    @Test
    void kstatusRulesForCommonKinds() {
        assertThat(HealthStatus.of(yaml("{kind: Deployment, metadata: {generation: 2}, spec: {replicas: 2},"
                + " status: {observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2}}")).current()).isTrue();
        assertThat(HealthStatus.of(yaml("{kind: Deployment, metadata: {generation: 2}, spec: {replicas: 2},"
                + " status: {observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2}}")).current()).isFalse();
        assertThat(HealthStatus.of(yaml("{kind: Deployment, metadata: {generation: 1}, spec: {replicas: 3},"
                + " status: {observedGeneration: 1, updatedReplicas: 3, availableReplicas: 1}}")).message()).contains("minimum availability");
        assertThat(HealthStatus.of(yaml("{kind: Job, status: {conditions: [{type: Failed, status: 'True'}]}}")).failed()).isTrue();
        assertThat(HealthStatus.of(yaml("{kind: Job, status: {conditions: [{type: Complete, status: 'True'}]}}")).current()).isTrue();
        assertThat(HealthStatus.of(yaml("{kind: PersistentVolumeClaim, status: {phase: Pending}}")).current()).isFalse();
        assertThat(HealthStatus.of(yaml("{kind: Service, spec: {type: LoadBalancer}, status: {}}")).current()).isFalse();
        assertThat(HealthStatus.of(yaml("{kind: Service, spec: {type: ClusterIP}}")).current()).isTrue();
        assertThat(HealthStatus.of(yaml("{kind: CustomResourceDefinition, status: {conditions: [{type: Established, status: 'True'}]}}")).current()).isTrue();
        assertThat(HealthStatus.of(yaml("{kind: HelmRelease, status: {conditions: [{type: Ready, status: 'False', message: install failed}]}}")).message())
                .isEqualTo("install failed");
        assertThat(HealthStatus.of(yaml("{kind: ConfigMap, data: {a: b}}")).current()).isTrue();
    }

    @Test
    void fluxObjectsAreCurrentOnlyOnceReadyForTheirGeneration() {
        String hr = "{apiVersion: helm.toolkit.fluxcd.io/v2, kind: HelmRelease, metadata: {generation: 2}";
        assertThat(HealthStatus.of(yaml(hr + "}")).current()).isFalse();
        assertThat(HealthStatus.of(yaml(hr + ", status: {observedGeneration: 1, conditions: [{type: Ready, status: 'True',"
                + " observedGeneration: 1}]}}")).current()).isFalse();
        assertThat(HealthStatus.of(yaml(hr + ", status: {observedGeneration: 2, conditions: [{type: Ready, status: 'True',"
                + " observedGeneration: 2}]}}")).current()).isTrue();
        assertThat(HealthStatus.of(yaml("{apiVersion: v1, kind: ConfigMap, metadata: {generation: 2}}")).current()).isTrue();
    }

    @Test
    void waitsUntilTheDeploymentIsAvailableAndTimesOutOtherwise() {
        try (InMemoryKubernetes cluster = InMemoryKubernetes.start()) {
            KubernetesClient client = cluster.client();
            Deployment d = client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                    .withNewMetadata().withName("app").endMetadata()
                    .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                    .withNewSpec().addNewContainer().withName("web").withImage("nginx").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
            HealthChecker checker = new HealthChecker(client, Duration.ofMillis(100));
            List<InventoryEntry> objects = List.of(InventoryEntry.of("apps/v1", "Deployment", "default", "app"),
                    InventoryEntry.of("v1", "ConfigMap", "default", "missing"));

            assertThat(checker.await(objects.subList(0, 1), Duration.ofMillis(300)))
                    .contains("timeout waiting for: [Deployment/default/app status: 'InProgress']");
            assertThat(checker.await(objects, Duration.ofMillis(300)).orElseThrow()).contains("ConfigMap/default/missing status: 'NotFound'");

            d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                    .withReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(2).withReadyReplicas(2).build());
            client.resource(d).updateStatus();
            assertThat(checker.await(objects.subList(0, 1), Duration.ofSeconds(5))).isEmpty();
        }
    }
}
