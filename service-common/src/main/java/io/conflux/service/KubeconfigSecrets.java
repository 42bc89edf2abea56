package io.conflux.service;

import io.conflux.model.kustomize.KubeConfigReference;
import io.fabric8.kubernetes.client.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The one reader of kubeconfig Secrets ({@code spec.kubeConfig.secretRef} of a Kustomization or HelmRelease), used by
 * the applier (to apply to the target cluster) and the renderer (to read the target cluster's discovery for a
 * HelmRelease's {@code .Capabilities}). As Flux ({@code fluxcd/pkg runtime/client}), the kubeconfig is the Secret's key
 * {@code secretRef.key}, else {@code value}, else {@code value.yaml}, in the object's namespace. The kubeconfig is checked
 * ({@link KubeconfigCheck}) before fabric8 builds a {@link Config} from it. Errors are {@link IllegalStateException}s
 * naming the Secret and key (never a value). Secrets are read through {@link SecretReader}; blocking.
 */
public final class KubeconfigSecrets {
    private final SecretReader secrets;
    private final boolean allowExec;
    private final String service;

    /**
     * @param secrets   reads the management cluster's Secrets
     * @param allowExec whether kubeconfigs may use {@code exec} and {@code auth-provider}
     *                  ({@code conflux.<service>.insecure-kubeconfig-exec}, Flux's {@code --insecure-kubeconfig-exec})
     * @param service   the service reading them ({@code applier}, {@code renderer}), named in refusals with its key
     */
    public KubeconfigSecrets(SecretReader secrets, boolean allowExec, String service) {
        this.secrets = secrets;
        this.allowExec = allowExec;
        this.service = service;
    }

    /**
     * One kubeconfig read from a Secret.
     *
     * @param secret  the Secret, {@code namespace/name} (a cache key per target cluster)
     * @param where   how errors name it: {@code kubeconfig Secret 'ns/name' key 'value'}
     * @param version the SHA-256 (hex) of the kubeconfig, so that a rotated Secret is noticed
     * @param content the kubeconfig's YAML; never logged nor put in a message
     */
    public record Kubeconfig(String secret, String where, String version, String content) {
        @Override
        public String toString() {
            return where + " (sha256 " + version + ")";
        }
    }

    /**
     * @param namespace  the object's namespace (where the Secret is)
     * @param kubeConfig {@code spec.kubeConfig}, or null
     * @return the kubeconfig of {@code secretRef}; empty when the object targets the management cluster (no
     *         {@code kubeConfig}, or one without {@code secretRef} nor {@code configMapRef})
     * @throws IllegalStateException when only {@code configMapRef} is set (workload identity, not supported), when the
     *                               Secret or its key is missing, or the Secret is not base64
     */
    public Optional<Kubeconfig> read(String namespace, KubeConfigReference kubeConfig) {
        if (kubeConfig != null && kubeConfig.secretRef() == null && kubeConfig.configMapRef() != null) {
            String name = kubeConfig.configMapRef().name();
            throw new IllegalStateException("spec.kubeConfig.configMapRef (ConfigMap '" + namespace + "/" + name
                    + "', workload identity) is not supported by Conflux; nothing is applied: use"
                    + " spec.kubeConfig.secretRef with a kubeconfig Secret");
        }
        if (kubeConfig == null || kubeConfig.secretRef() == null) {
            return Optional.empty();
        }
        String name = kubeConfig.secretRef().name();
        String secret = "kubeconfig Secret '" + namespace + "/" + name + "'";
        Map<String, String> data;
        try {
            data = secrets.secretData(namespace, name).orElseThrow(() -> new IllegalStateException(secret + " not found"));
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalStateException(secret + " is not base64");
        }
        String key = kubeConfig.secretRef().key() != null ? kubeConfig.secretRef().key()
                : data.containsKey("value") ? "value" : "value.yaml";
        String content = data.get(key);
        if (content == null) {
            throw new IllegalStateException(secret + " has no key '" + key + "'");
        }
        return Optional.of(new Kubeconfig(namespace + "/" + name, secret + " key '" + key + "'", sha256(content), content));
    }

    /**
     * @param kubeconfig one read by {@link #read}
     * @return fabric8's configuration of its current context
     * @throws IllegalStateException when {@link KubeconfigCheck} refuses it, or fabric8 cannot read it (naming the
     *                               Secret and the field, never a value)
     */
    public Config config(Kubeconfig kubeconfig) {
        Optional<String> refusal = KubeconfigCheck.refusal(kubeconfig.content(), allowExec, service);
        if (refusal.isPresent()) {
            throw new IllegalStateException(kubeconfig.where() + ": " + refusal.get());
        }
        try {
            return Config.fromKubeconfig(kubeconfig.content());
        } catch (RuntimeException e) {
            // fabric8's messages may quote the kubeconfig: name the Secret, not the content
            throw new IllegalStateException(kubeconfig.where() + " is not a valid kubeconfig ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
