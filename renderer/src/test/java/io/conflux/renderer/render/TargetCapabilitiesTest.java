package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.AccessRequest;
import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.helm.Capabilities;
import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.service.KubeconfigClients;
import io.conflux.service.KubeconfigSecrets;
import io.conflux.service.SecretReader;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
            try (TargetCapabilities capabilities = capabilities(management, Optional.empty())) {

                Capabilities local = capabilities.of("default", null, null);
                assertThat(local.apiVersions()).contains("apps/v1").doesNotContain("monitoring.coreos.com/v1");
                assertThat(local.kubeVersion()).isEqualTo("v1.35.0");

                Capabilities remote = capabilities.of("default", kubeConfig("target-kubeconfig"), null);
                assertThat(remote.apiVersions()).contains("monitoring.coreos.com/v1",
                        "monitoring.coreos.com/v1/ServiceMonitor", "apps/v1");
                assertThat(remote.kubeVersion()).as("the target's /version").isEqualTo("v1.35.0");
                assertThat(capabilities.of("default", kubeConfig("target-kubeconfig"), null))
                        .as("kept for discovery-cache").isSameAs(remote);

                assertThat(ClusterCapabilitiesTest.kinds(ClusterCapabilitiesTest.render(tmp, repo, local)))
                        .as("the management cluster serves no monitoring.coreos.com/v1").containsExactly("ConfigMap");
                assertThat(ClusterCapabilitiesTest.kinds(ClusterCapabilitiesTest.render(tmp, repo, remote)))
                        .as("the target does").containsExactlyInAnyOrder("ConfigMap", "ServiceMonitor");

                assertThatThrownBy(() -> capabilities.of("default", kubeConfig("missing"), null))
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
            try (TargetCapabilities capabilities = capabilities(management, Optional.empty())) {
                assertThatThrownBy(() -> capabilities.of("default", kubeConfig("exec"), null))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("kubeconfig Secret 'default/exec' key 'value': users[0].user.exec runs a command in"
                                + " the renderer; refused (the operator may allow it with"
                                + " conflux.renderer.insecure-kubeconfig-exec=true, as Flux's --insecure-kubeconfig-exec)");
            }
        }
    }

    /**
     * As helm-controller's REST client getter ({@code kube.WithImpersonate}), a target's discovery is read impersonating
     * {@code system:serviceaccount:<namespace>:<spec.serviceAccountName>}, else the default service account; a
     * kubeconfig user that may not impersonate it gets no discovery (Helm's defaults), as the applier is refused.
     */
    @Test
    void aTargetsDiscoveryIsReadAsTheServiceAccountHelmControllerImpersonates() throws Exception {
        try (InMemoryKubernetes management = InMemoryKubernetes.start();
             InMemoryKubernetes target = InMemoryKubernetes.start()) {
            target.client().resource(ClusterCapabilitiesTest.serviceMonitorCrd()).create();
            String token = InMemoryKubernetes.serviceAccountToken("flux-system", "conflux");
            secret(management, "target-kubeconfig",
                    Files.readString(target.writeKubeconfig(tmp.resolve("target.yaml"), token)));
            List<AccessRequest> seen = new CopyOnWriteArrayList<>();
            target.authorize(request -> seen.add(request)
                    && !(request.verb().equals("impersonate") && "refused".equals(request.name())));
            try (TargetCapabilities capabilities = capabilities(management, Optional.of("fallback"))) {
                assertThat(capabilities.of("default", kubeConfig("target-kubeconfig"), "deployer").apiVersions())
                        .contains("monitoring.coreos.com/v1");
                assertThat(seen).isNotEmpty().allSatisfy(r -> {
                    assertThat(r.user()).isEqualTo("system:serviceaccount:flux-system:conflux");
                    assertThat(r.verb()).isEqualTo("impersonate");
                    assertThat(r.resource()).isEqualTo("serviceaccounts");
                    assertThat(r.namespace() + "/" + r.name()).isEqualTo("default/deployer");
                });

                seen.clear();
                capabilities.of("default", kubeConfig("target-kubeconfig"), null);
                assertThat(seen).as("the default service account").isNotEmpty()
                        .allSatisfy(r -> assertThat(r.namespace() + "/" + r.name()).isEqualTo("default/fallback"));

                assertThat(capabilities.of("default", kubeConfig("target-kubeconfig"), "refused"))
                        .as("impersonation refused: no discovery").isSameAs(Capabilities.DEFAULT);

                seen.clear();
                capabilities.of("default", null, "deployer");
                assertThat(seen).as("the management cluster's discovery is the renderer's own").isEmpty();
            }
        }
    }

    /**
     * A discovery read in flight when the kubeconfig Secret is rotated finishes with the old client (service-common's
     * {@code KubeconfigClients} closes it after its last lease): the read is held inside the target API server while
     * another user leases the rotated Secret's client. Closing the old client at the rotation (the earlier behaviour)
     * fails the read, which then gives Helm's defaults.
     */
    @Test
    void aDiscoveryReadInFlightSurvivesARotationOfTheKubeconfigSecret() throws Exception {
        try (InMemoryKubernetes management = InMemoryKubernetes.start();
             InMemoryKubernetes target = InMemoryKubernetes.start()) {
            target.client().resource(ClusterCapabilitiesTest.serviceMonitorCrd()).create();
            String kubeconfig = Files.readString(target.writeKubeconfig(tmp.resolve("target.yaml"),
                    InMemoryKubernetes.serviceAccountToken("flux-system", "conflux")));
            secret(management, "target-kubeconfig", kubeconfig);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            AtomicBoolean hold = new AtomicBoolean(true);
            target.authorize(request -> {
                if (hold.getAndSet(false)) {
                    held.countDown();
                    try {
                        resume.await(1, TimeUnit.MINUTES);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return true;
            });
            KubeconfigClients clients = new KubeconfigClients(management.client(),
                    new KubeconfigSecrets(new SecretReader(management.client()), false, "renderer"));
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try (TargetCapabilities capabilities = new TargetCapabilities(
                    new ClusterCapabilities(management.client(), Duration.ofMinutes(1)), clients, Optional.empty(),
                    Duration.ofMinutes(1))) {
                Future<Capabilities> inFlight = reader.submit(() ->
                        capabilities.of("default", kubeConfig("target-kubeconfig"), "deployer"));
                assertThat(held.await(1, TimeUnit.MINUTES)).as("the discovery read reached the target").isTrue();

                secret(management, "target-kubeconfig", kubeconfig + "\n# rotated\n");
                try (KubeconfigClients.Lease rotated = clients.lease("default", kubeConfig("target-kubeconfig"),
                        Optional.empty())) {
                    assertThat(rotated.version()).as("the rotation is seen").isNotNull();
                } finally {
                    resume.countDown();
                }
                assertThat(inFlight.get(1, TimeUnit.MINUTES).apiVersions())
                        .as("read to the end with the old client").contains("monitoring.coreos.com/v1");
            } finally {
                reader.shutdownNow();
            }
        }
    }

    private static TargetCapabilities capabilities(InMemoryKubernetes management, Optional<String> defaultAccount) {
        return new TargetCapabilities(new ClusterCapabilities(management.client(), Duration.ofMinutes(1)),
                new KubeconfigClients(management.client(),
                        new KubeconfigSecrets(new SecretReader(management.client()), false, "renderer")),
                defaultAccount, Duration.ofMinutes(1));
    }

    private static void secret(InMemoryKubernetes management, String name, String kubeconfig) {
        management.client().resource(new SecretBuilder().withNewMetadata().withNamespace("default").withName(name)
                .endMetadata().addToData("value", base64(kubeconfig)).build()).serverSideApply();
    }

    private static KubeConfigReference kubeConfig(String secret) {
        return Serialization.unmarshal("{\"secretRef\": {\"name\": \"" + secret + "\"}}", KubeConfigReference.class);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
