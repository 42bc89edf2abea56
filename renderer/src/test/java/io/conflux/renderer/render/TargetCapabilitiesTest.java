package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.Capabilities;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.service.KubeconfigSecrets;
import io.conflux.service.SecretReader;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .Capabilities} of a HelmRelease with {@code spec.kubeConfig} follow the target cluster, not the management
 * cluster: two in-memory API servers, the ServiceMonitor CRD served only by the target, the target's kubeconfig in a
 * Secret of the management cluster (read by service-common's {@link KubeconfigSecrets}, as the applier reads it).
 */
class TargetCapabilitiesTest {
    @TempDir
    Path tmp;

    @Test
    void aReleaseWithKubeConfigSeesTheTargetsApiVersionsAndVersion() throws Exception {
        try (InMemoryKubernetes management = InMemoryKubernetes.start();
             InMemoryKubernetes target = InMemoryKubernetes.start();
             LocalChartRepository repo = LocalChartRepository.start(ClusterCapabilitiesTest.monitoredChart(tmp))) {
            target.client().resource(ClusterCapabilitiesTest.serviceMonitorCrd()).create();
            management.client().resource(new SecretBuilder().withNewMetadata().withNamespace("default")
                    .withName("target-kubeconfig").endMetadata()
                    .addToData("value", base64(Files.readString(target.writeKubeconfig(tmp.resolve("target.yaml")))))
                    .build()).create();
            try (TargetCapabilities capabilities = new TargetCapabilities(
                    new ClusterCapabilities(management.client(), Duration.ofMinutes(1)),
                    new KubeconfigSecrets(new SecretReader(management.client()), false, "renderer"), Duration.ofMinutes(1))) {

                Capabilities local = capabilities.of("default", null);
                assertThat(local.apiVersions()).contains("apps/v1").doesNotContain("monitoring.coreos.com/v1");
                assertThat(local.kubeVersion()).isEqualTo("v1.35.0");

                Capabilities remote = capabilities.of("default", kubeConfig("target-kubeconfig"));
                assertThat(remote.apiVersions()).contains("monitoring.coreos.com/v1",
                        "monitoring.coreos.com/v1/ServiceMonitor", "apps/v1");
                assertThat(remote.kubeVersion()).as("the target's /version").isEqualTo("v1.35.0");
                assertThat(capabilities.of("default", kubeConfig("target-kubeconfig")))
                        .as("kept for discovery-cache").isSameAs(remote);

                assertThat(ClusterCapabilitiesTest.kinds(ClusterCapabilitiesTest.render(tmp, repo, local)))
                        .as("the management cluster serves no monitoring.coreos.com/v1").containsExactly("ConfigMap");
                assertThat(ClusterCapabilitiesTest.kinds(ClusterCapabilitiesTest.render(tmp, repo, remote)))
                        .as("the target does").containsExactlyInAnyOrder("ConfigMap", "ServiceMonitor");

                assertThatThrownBy(() -> capabilities.of("default", kubeConfig("missing")))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("kubeconfig Secret 'default/missing' not found");
            }
        }
    }

    @Test
    void aKubeconfigRunningACommandIsRefusedNamingTheRenderersKey() throws Exception {
        try (InMemoryKubernetes management = InMemoryKubernetes.start()) {
            String exec = Files.readString(management.writeKubeconfig(tmp.resolve("exec.yaml")))
                    .replaceFirst("(?s)users:.*", """
                            users:
                            - name: x
                              user:
                                exec: {apiVersion: client.authentication.k8s.io/v1, command: sh}
                            """);
            management.client().resource(new SecretBuilder().withNewMetadata().withNamespace("default")
                    .withName("exec").endMetadata().addToData("value", base64(exec)).build()).create();
            try (TargetCapabilities capabilities = new TargetCapabilities(
                    new ClusterCapabilities(management.client(), Duration.ofMinutes(1)),
                    new KubeconfigSecrets(new SecretReader(management.client()), false, "renderer"), Duration.ofMinutes(1))) {
                assertThatThrownBy(() -> capabilities.of("default", kubeConfig("exec")))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("kubeconfig Secret 'default/exec' key 'value': users[0].user.exec runs a command in"
                                + " the renderer; refused (the operator may allow it with"
                                + " conflux.renderer.insecure-kubeconfig-exec=true, as Flux's --insecure-kubeconfig-exec)");
            }
        }
    }

    private static KubeConfigReference kubeConfig(String secret) {
        return Serialization.unmarshal("{\"secretRef\": {\"name\": \"" + secret + "\"}}", KubeConfigReference.class);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
