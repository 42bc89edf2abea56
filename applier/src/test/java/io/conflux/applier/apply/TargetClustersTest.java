package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.model.meta.SecretKeyReference;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubeconfig Secrets: what a tenant's kubeconfig may make the applier do (run nothing, read no local file unless the
 * operator allows exec), and a rotated Secret under a reconcile that still uses the old client.
 */
class TargetClustersTest {
    static InMemoryKubernetes cluster;
    static KubernetesClient client;

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

    @Test
    void anExecKubeconfigIsRefusedAndItsCommandNeverRuns(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("pwned-" + UUID.randomUUID());
        String name = secret(withUser(dir, execUser(marker)));
        try (TargetClusters targets = new TargetClusters(client)) {
            assertThatThrownBy(() -> targets.forObject("apps", ref(name), "deployer"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("kubeconfig Secret 'apps/" + name + "' key 'value': users[0].user.exec runs a command in"
                            + " the applier; refused (the operator may allow it with"
                            + " conflux.applier.insecure-kubeconfig-exec=true, as Flux's --insecure-kubeconfig-exec)");
        }
        assertThat(marker).doesNotExist();
    }

    /** Flux 2.6+'s workload-identity kubeconfig is refused naming the field, never the management cluster instead. */
    @Test
    void aConfigMapRefKubeconfigIsRefusedNotTheManagementCluster() {
        try (TargetClusters targets = new TargetClusters(client)) {
            assertThatThrownBy(() -> targets.forObject("apps", new KubeConfigReference(null,
                    new io.conflux.model.meta.LocalObjectReference("aks-prod")), null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("spec.kubeConfig.configMapRef (ConfigMap 'apps/aks-prod', workload identity)"
                            + " is not supported by Conflux; nothing is applied");
        }
    }

    @Test
    void withInsecureKubeconfigExecTheCommandRuns(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("allowed-" + UUID.randomUUID());
        String name = secret(withUser(dir, execUser(marker)));
        try (TargetClusters targets = new TargetClusters(client, Optional.empty(), true);
             TargetClusters.Lease lease = targets.forObject("apps", ref(name))) {
            assertThat(lease.client().configMaps().inNamespace("apps").list().getItems()).isNotNull();
        }
        assertThat(marker).exists();
    }

    @Test
    void anAuthProviderKubeconfigIsRefused(@TempDir Path dir) throws Exception {
        String name = secret(withUser(dir, """
                    auth-provider:
                      name: oidc
                      config: {idp-issuer-url: 'http://127.0.0.1:1', client-id: x, refresh-token: x}
                """));
        try (TargetClusters targets = new TargetClusters(client)) {
            assertThatThrownBy(() -> targets.forObject("apps", ref(name)))
                    .hasMessageStartingWith("kubeconfig Secret 'apps/" + name + "' key 'value': users[0].user.auth-provider"
                            + " runs an auth-provider plugin in the applier; refused");
        }
    }

    @Test
    void localFilesAreRefusedEvenWithExecAllowed(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "applier-token");
        String tokenFile = secret(withUser(dir, "    tokenFile: " + token + "\n"));
        String clientKey = secret(withUser(dir, "    client-certificate: /etc/ssl/cert.pem\n    client-key: /etc/ssl/key.pem\n"));
        String ca = secret(Files.readString(cluster.writeKubeconfig(dir.resolve("ca")))
                .replace("    server:", "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n    server:"));
        try (TargetClusters targets = new TargetClusters(client, Optional.empty(), true)) {
            assertThatThrownBy(() -> targets.forObject("apps", ref(tokenFile)))
                    .hasMessage("kubeconfig Secret 'apps/" + tokenFile + "' key 'value': users[0].user.tokenFile names a"
                            + " local file of the applier; refused (use token)")
                    .hasMessageNotContaining(token.toString());
            assertThatThrownBy(() -> targets.forObject("apps", ref(clientKey)))
                    .hasMessageEndingWith("users[0].user.client-certificate names a local file of the applier; refused"
                            + " (use client-certificate-data)");
            assertThatThrownBy(() -> targets.forObject("apps", ref(ca)))
                    .hasMessageEndingWith("clusters[0].cluster.certificate-authority names a local file of the applier;"
                            + " refused (use certificate-authority-data)");
        }
    }

    @Test
    void aBrokenKubeconfigIsNamedWithoutItsContent(@TempDir Path dir) {
        String name = secret("users:\n- name: x\n  user:\n    token: hunter2-secret\n    token: again\n");
        try (TargetClusters targets = new TargetClusters(client)) {
            assertThatThrownBy(() -> targets.forObject("apps", ref(name)))
                    .hasMessageStartingWith("kubeconfig Secret 'apps/" + name + "' key 'value': is not valid YAML:")
                    .hasMessageContaining("line 5")
                    .hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void anExecHiddenBehindAnAliasOrAMergeKeyIsRefused(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("hidden-" + UUID.randomUUID());
        String exec = execUser(marker).replace("\n    ", "\n      ").replaceFirst("^    ", "      ");
        String alias = secret("hidden:\n  user: &u\n" + exec + withUser(dir, "    token: x\n")
                .replaceFirst("(?s)users:.*", "users:\n- name: " + InMemoryKubernetes.CONTEXT + "\n  user: *u\n"));
        String merge = secret("hidden:\n  user: &u\n" + exec + withUser(dir, "    token: x\n")
                .replaceFirst("(?s)users:.*", "users:\n- name: " + InMemoryKubernetes.CONTEXT + "\n  user:\n    <<: *u\n"));
        try (TargetClusters targets = new TargetClusters(client)) {
            assertThatThrownBy(() -> targets.forObject("apps", ref(alias))).hasMessageContaining("users[0].user.exec runs a command");
            assertThatThrownBy(() -> targets.forObject("apps", ref(merge))).hasMessageEndingWith("users[0] uses a YAML merge key (<<); refused");
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void aReconcileInProgressSurvivesARotationAndTheOldClientClosesAfterIt(@TempDir Path dir) throws Exception {
        String name = secret(Files.readString(cluster.writeKubeconfig(dir.resolve("kubeconfig"))));
        try (TargetClusters targets = new TargetClusters(client)) {
            TargetClusters.Lease inUse = targets.forObject("apps", ref(name), "deployer");
            // a rotation changes the kubeconfig (clients are cached by its content)
            client.secrets().inNamespace("apps").withName(name).edit(s -> {
                String rotated = new String(Base64.getDecoder().decode(s.getData().get("value")),
                        StandardCharsets.UTF_8) + "\n# rotated\n";
                s.getData().put("value", Base64.getEncoder().encodeToString(
                        rotated.getBytes(StandardCharsets.UTF_8)));
                return s;
            });
            KubernetesClient old = inUse.client();
            try (TargetClusters.Lease rotated = targets.forObject("apps", ref(name), "deployer")) {
                assertThat(rotated.client()).isNotSameAs(old);
                rotated.client().configMaps().inNamespace("apps").list();
            }
            // the reconcile that took the old client goes on with it after the rotation
            assertThat(old.configMaps().inNamespace("apps").list().getItems()).isNotNull();
            inUse.close();
            assertThatThrownBy(() -> old.configMaps().inNamespace("apps").list())
                    .hasStackTraceContaining("losed");
        }
    }

    private static String withUser(Path dir, String user) throws Exception {
        return Files.readString(cluster.writeKubeconfig(dir.resolve("kubeconfig-" + UUID.randomUUID())))
                .replaceFirst("(?s)users:.*", "users:\n- name: " + InMemoryKubernetes.CONTEXT + "\n  user:\n" + user);
    }

    /** An exec user whose command creates {@code marker} and prints a valid ExecCredential. */
    private static String execUser(Path marker) throws Exception {
        Path credential = Files.writeString(marker.resolveSibling(marker.getFileName() + ".json"), """
                {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "t"}}
                """);
        return "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n"
                + "      args: ['-c', 'touch " + marker + " && cat " + credential + "']\n";
    }

    private static KubeConfigReference ref(String name) {
        return new KubeConfigReference(new SecretKeyReference(name, null));
    }

    private static String secret(String kubeconfig) {
        String name = "kubeconfig-" + UUID.randomUUID().toString().substring(0, 8);
        client.resource(new SecretBuilder().withNewMetadata().withNamespace("apps").withName(name).endMetadata()
                .addToData("value", Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
        return name;
    }
}
