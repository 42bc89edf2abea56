package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory cluster's stand-in for workload controllers and kubelets turns workloads healthy, per generation. */
class WorkloadControllerTest {
    static InMemoryKubernetes kube;
    static WorkloadController controller;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        controller = WorkloadController.start(kube.client(), Duration.ofMillis(200));
    }

    @AfterAll
    static void stop() {
        controller.close();
        kube.close();
    }

    @Test
    void deploymentRollsOutAndRollsOutAgainAfterASpecChange() {
        KubernetesClient client = kube.client();
        client.resource("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: nginx:1.27}]}
                """).serverSideApply();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace("default").withName("web").get();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType()).isEqualTo("Available"));
        });
        client.apps().deployments().inNamespace("default").withName("web")
                .edit(d -> { d.getSpec().setReplicas(5); return d; });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace("default").withName("web").get();
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(5);
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
        });
    }

    @Test
    void aDeploymentWhosePodsAreAnnotatedToFailNeverBecomesAvailable() {
        KubernetesClient client = kube.client();
        client.resource("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: crashing, namespace: default}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: crashing}}
                  template:
                    metadata:
                      labels: {app: crashing}
                      annotations: {embedded.conflux.io/outcome: Failed}
                    spec: {containers: [{name: web, image: nginx:1.27}]}
                """).serverSideApply();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Deployment d = client.apps().deployments().inNamespace("default").withName("crashing").get();
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getUnavailableReplicas()).isEqualTo(2);
            assertThat(d.getStatus().getAvailableReplicas()).isZero();
            assertThat(d.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Available");
                assertThat(c.getStatus()).isEqualTo("False");
            });
        });
    }

    @Test
    void jobsCompleteAndCrdsAreEstablished() {
        KubernetesClient client = kube.client();
        client.resource("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: migrate, namespace: default}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: migrate, image: busybox}]
                """).serverSideApply();
        client.resource("""
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: widgets.example.com}
                spec:
                  group: example.com
                  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
                  scope: Namespaced
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
                """).serverSideApply();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Job job = client.batch().v1().jobs().inNamespace("default").withName("migrate").get();
            assertThat(job.getStatus()).isNotNull();
            assertThat(job.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Complete");
                assertThat(c.getStatus()).isEqualTo("True");
            });
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
                    .withName("widgets.example.com").get();
            assertThat(crd.getStatus()).isNotNull();
            assertThat(crd.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType()).isEqualTo("Established"));
        });
    }

    @Test
    void podsThatRunOnceEndAsAKubeletReportsThemWithTheExitCodeOfAnExitScript() {
        KubernetesClient client = kube.client();
        client.resource("""
                apiVersion: v1
                kind: Pod
                metadata: {name: service-test, namespace: default, annotations: {helm.sh/hook: test}}
                spec:
                  restartPolicy: Never
                  containers: [{name: curl, image: curlimages/curl:7.69.0, command: [sh, -c, 'curl -s podinfo:9898 | grep version']}]
                """).serverSideApply();
        client.resource("""
                apiVersion: v1
                kind: Pod
                metadata: {name: fault-test, namespace: default, annotations: {helm.sh/hook: test-success}}
                spec:
                  restartPolicy: Never
                  containers: [{name: fault, image: alpine:3.11, command: [/bin/sh], args: [-c, exit 1]}]
                """).serverSideApply();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Pod passed = client.pods().inNamespace("default").withName("service-test").get();
            assertThat(passed.getStatus()).isNotNull();
            assertThat(passed.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(passed.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
                assertThat(c.getName()).isEqualTo("curl");
                assertThat(c.getState().getTerminated().getExitCode()).isZero();
                assertThat(c.getState().getTerminated().getReason()).isEqualTo("Completed");
            });
            Pod failed = client.pods().inNamespace("default").withName("fault-test").get();
            assertThat(failed.getStatus()).isNotNull();
            assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
            assertThat(failed.getStatus().getContainerStatuses()).singleElement().satisfies(c -> {
                assertThat(c.getState().getTerminated().getExitCode()).isEqualTo(1);
                assertThat(c.getState().getTerminated().getReason()).isEqualTo("Error");
            });
        });
    }
}
