package io.conflux.service;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.arc.Unremovable;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Lets one service's {@code conflux.kubeconfig} name the management cluster's kubeconfig instead of the JVM-wide
 * {@code KUBECONFIG} environment variable, which several services sharing one JVM ({@code conflux up}'s one-JVM mode)
 * cannot each set, and which Quarkus' own {@code quarkus.kubernetes-client.*} keys cannot replace there since they
 * are fixed at build time. Empty (the default): the client is configured as before, from {@code KUBECONFIG}, the
 * in-cluster ServiceAccount or {@code ~/.kube/config}.
 *
 * <p>When set, the file's current context decides the API server URL, the credentials (bearer token, client
 * certificate, user name and password), the CA and {@code insecure-skip-tls-verify}, and the default namespace; the
 * other settings (timeouts, watch reconnects) stay Quarkus'.
 *
 * @throws IllegalArgumentException (from {@link #customize}) when the file does not exist; the message names the file
 *                                  and the key, fabric8's parse errors name the file
 */
@Singleton
@Unremovable
public class KubeconfigOverride implements KubernetesConfigCustomizer {
    private final Optional<String> kubeconfig;

    KubeconfigOverride(@ConfigProperty(name = "conflux.kubeconfig") Optional<String> kubeconfig) {
        this.kubeconfig = kubeconfig.filter(k -> !k.isBlank());
    }

    @Override
    public void customize(Config config) {
        if (kubeconfig.isEmpty()) {
            return;
        }
        Path file = Path.of(kubeconfig.get());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("conflux.kubeconfig names no file: " + file);
        }
        Config from = Config.fromKubeconfig(file.toFile());
        config.setMasterUrl(from.getMasterUrl());
        config.setNamespace(from.getNamespace());
        config.setOauthToken(from.getOauthToken());
        config.setAutoOAuthToken(from.getAutoOAuthToken());
        config.setUsername(from.getUsername());
        config.setPassword(from.getPassword());
        config.setTrustCerts(from.isTrustCerts());
        config.setCaCertFile(from.getCaCertFile());
        config.setCaCertData(from.getCaCertData());
        config.setClientCertFile(from.getClientCertFile());
        config.setClientCertData(from.getClientCertData());
        config.setClientKeyFile(from.getClientKeyFile());
        config.setClientKeyData(from.getClientKeyData());
    }
}
