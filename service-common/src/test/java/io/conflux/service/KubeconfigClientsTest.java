package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.model.meta.SecretKeyReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client per version of a kubeconfig Secret, shared by its users: a rotated Secret's old client (and its
 * impersonating clients) stays open under the leases still using it and is closed after the last one; the management
 * cluster's client is never closed.
 */
class KubeconfigClientsTest {
    private static final KubeConfigReference TARGET = new KubeConfigReference(new SecretKeyReference("target", null));

    @TempDir
    Path tmp;

    @Test
    void aRotatedSecretsClientIsClosedOnlyAfterItsLastLease() throws Exception {
        try (InMemoryKubernetes cluster = InMemoryKubernetes.start()) {
            KubernetesClient management = cluster.client();
            String kubeconfig = Files.readString(cluster.writeKubeconfig(tmp.resolve("kubeconfig")));
            writeSecret(management, kubeconfig);
            try (KubeconfigClients clients = new KubeconfigClients(management,
                    new KubeconfigSecrets(new SecretReader(management), false, "applier"))) {
                KubeconfigClients.Lease inUse = clients.lease("default", TARGET, Optional.empty());
                KubeconfigClients.Lease impersonating = clients.lease("default", TARGET,
                        Optional.of(KubeconfigClients.serviceAccountUser("default", "deployer")));
                try (KubeconfigClients.Lease same = clients.lease("default", TARGET, Optional.empty())) {
                    assertThat(same.client()).as("one client per version of the Secret").isSameAs(inUse.client());
                    assertThat(same.cluster()).isEqualTo("default/target");
                }
                assertThat(impersonating.client().getConfiguration().getImpersonateUsername())
                        .isEqualTo("system:serviceaccount:default:deployer");

                writeSecret(management, kubeconfig + "\n# rotated\n");
                try (KubeconfigClients.Lease rotated = clients.lease("default", TARGET, Optional.empty())) {
                    assertThat(rotated.client()).isNotSameAs(inUse.client());
                    assertThat(rotated.version()).isNotEqualTo(inUse.version());
                    assertThat(rotated.client().configMaps().inNamespace("default").list().getItems()).isNotNull();
                }
                // the users of the old version go on with it after the rotation
                assertThat(inUse.client().configMaps().inNamespace("default").list().getItems()).isNotNull();
                assertThat(impersonating.client().configMaps().inNamespace("default").list().getItems()).isNotNull();
                inUse.close();
                assertThat(impersonating.client().configMaps().inNamespace("default").list().getItems())
                        .as("one lease left on the old version").isNotNull();
                impersonating.close();
                assertThatThrownBy(() -> inUse.client().configMaps().inNamespace("default").list())
                        .hasStackTraceContaining("losed");
                assertThatThrownBy(() -> impersonating.client().configMaps().inNamespace("default").list())
                        .hasStackTraceContaining("losed");

                try (KubeconfigClients.Lease local = clients.lease("default", null, Optional.empty())) {
                    assertThat(local.client()).isSameAs(management);
                    assertThat(local.cluster()).isEqualTo(KubeconfigClients.MANAGEMENT);
                }
            }
            assertThat(management.configMaps().inNamespace("default").list().getItems())
                    .as("the management cluster's client is never closed here").isNotNull();
        }
    }

    private static void writeSecret(KubernetesClient management, String kubeconfig) {
        management.resource(new SecretBuilder().withNewMetadata().withNamespace("default").withName("target")
                .endMetadata()
                .addToData("value", Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                .build()).serverSideApply();
    }
}
