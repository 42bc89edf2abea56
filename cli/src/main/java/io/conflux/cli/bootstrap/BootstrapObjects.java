package io.conflux.cli.bootstrap;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects {@code conflux bootstrap git} creates, as {@code flux bootstrap git} leaves them on the cluster: the
 * Namespace {@code flux-system}, the Secret {@code flux-system} in Flux's SSH format ({@code identity},
 * {@code identity.pub}, {@code known_hosts}), and the GitRepository and Kustomization {@code flux-system} exactly as
 * {@code gotk-sync.yaml} has them (GitRepository {@code interval: 1m0s}, {@code ref.branch},
 * {@code secretRef: flux-system}; Kustomization {@code interval: 10m0s}, {@code path}, {@code prune: true},
 * {@code sourceRef} the GitRepository). Pure.
 */
public final class BootstrapObjects {
    /** The name of every object, and the namespace, as Flux names them. */
    public static final String NAME = "flux-system";

    private BootstrapObjects() {
    }

    /**
     * @param url        the {@code ssh://} URL
     * @param branch     the branch to follow
     * @param path       the path of the cluster's directory, e.g. {@code clusters/my-cluster} ({@code ./} is added as
     *                   Flux writes it)
     * @param key        the deploy key
     * @param knownHosts the server's {@code known_hosts} lines
     * @return the objects, in creation order
     */
    public static List<HasMetadata> of(String url, String branch, String path, DeployKey key, String knownHosts) {
        Namespace namespace = new NamespaceBuilder().withNewMetadata().withName(NAME).endMetadata().build();
        // data, base64 (stringData is converted by the API server only on write, and not by every API server)
        Map<String, String> data = new LinkedHashMap<>();
        data.put("identity", base64(key.identity()));
        data.put("identity.pub", base64(key.publicKey() + "\n"));
        data.put("known_hosts", base64(knownHosts));
        Secret secret = new SecretBuilder().withNewMetadata().withName(NAME).withNamespace(NAME).endMetadata()
                .withData(data).build();
        String normalizedPath = path.startsWith("./") ? path : "./" + (path.startsWith("/") ? path.substring(1) : path);
        HasMetadata gitRepository = Serialization.unmarshal("""
                {"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"GitRepository",
                 "metadata":{"name":"flux-system","namespace":"flux-system"},
                 "spec":{"interval":"1m0s","ref":{"branch":%s},"secretRef":{"name":"flux-system"},"url":%s}}
                """.formatted(quote(branch), quote(url)), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        HasMetadata kustomization = Serialization.unmarshal("""
                {"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization",
                 "metadata":{"name":"flux-system","namespace":"flux-system"},
                 "spec":{"interval":"10m0s","path":%s,"prune":true,
                  "sourceRef":{"kind":"GitRepository","name":"flux-system"}}}
                """.formatted(quote(normalizedPath)), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        return List.of(namespace, secret, gitRepository, kustomization);
    }

    private static String base64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String quote(String s) {
        return Serialization.asJson(s);
    }
}
