package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.InMemoryKubernetes;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KubeconfigOverride} against the in-memory API server: the service's own kubeconfig replaces the server and
 * credentials the JVM-wide configuration gave, and a client built from the result reaches the server.
 */
class KubeconfigOverrideTest {

    @TempDir
    Path dir;

    @Test
    void theServicesKubeconfigReplacesServerAndToken() {
        try (InMemoryKubernetes kube = InMemoryKubernetes.start()) {
            Path file = kube.writeKubeconfig(dir.resolve("kubeconfig-renderer"), "renderer-token");
            Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://elsewhere.invalid:6443")
                .withOauthToken("global-token").build();

            new KubeconfigOverride(Optional.of(file.toString())).customize(config);

            assertThat(config.getMasterUrl()).startsWith(kube.url());
            // a kubeconfig's token is fabric8's auto token (refreshable); the JVM-wide explicit one must be gone
            assertThat(config.getOauthToken()).isNull();
            assertThat(config.getAutoOAuthToken()).isEqualTo("renderer-token");
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                assertThat(client.namespaces().withName("default").get()).isNotNull();
            }
        }
    }

    @Test
    void emptyLeavesTheConfigurationAlone() {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://elsewhere.invalid:6443")
            .withOauthToken("global-token").build();

        new KubeconfigOverride(Optional.of("")).customize(config);

        assertThat(config.getMasterUrl()).startsWith("https://elsewhere.invalid:6443");
        assertThat(config.getOauthToken()).isEqualTo("global-token");
    }

    @Test
    void aMissingFileIsNamedWithTheKey() {
        Path missing = dir.resolve("missing");

        assertThatThrownBy(() -> new KubeconfigOverride(Optional.of(missing.toString())).customize(Config.empty()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("conflux.kubeconfig").hasMessageContaining(missing.toString());
    }
}
