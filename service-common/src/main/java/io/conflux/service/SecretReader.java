package io.conflux.service;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Secrets and ConfigMaps that Flux objects refer to ({@code secretRef}, {@code valuesFrom},
 * {@code decryption.secretRef}, …) from the management cluster. Blocking. Failures name the object, never a value.
 */
@ApplicationScoped
public class SecretReader {
    @Inject
    KubernetesClient client;

    /** For CDI. */
    public SecretReader() {
    }

    /** For code built by hand (tests). */
    public SecretReader(KubernetesClient client) {
        this.client = client;
    }

    /**
     * @return the Secret's {@code data} decoded from base64 as UTF-8 text, its {@code stringData} (if the API server
     *         kept any) taking precedence; empty when the Secret does not exist
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server fails (see {@link Transient})
     */
    public Optional<Map<String, String>> secretData(String ns, String name) {
        return secretBytes(ns, name).map(bytes -> {
            Map<String, String> text = new LinkedHashMap<>();
            bytes.forEach((k, v) -> text.put(k, new String(v, StandardCharsets.UTF_8)));
            return text;
        });
    }

    /**
     * @return the Secret's values as bytes ({@code data} decoded from base64; {@code stringData} UTF-8 encoded);
     *         empty when the Secret does not exist
     * @throws IllegalArgumentException when a {@code data} value is not base64 (names the Secret and key)
     */
    public Optional<Map<String, byte[]>> secretBytes(String ns, String name) {
        Secret secret = client.secrets().inNamespace(ns).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> {
                try {
                    values.put(k, Base64.getDecoder().decode(v == null ? "" : v.trim()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Secret " + ns + "/" + name + " key " + k + " is not base64");
                }
            });
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((k, v) -> values.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.of(values);
    }

    /** @return the ConfigMap's {@code data}; empty when the ConfigMap does not exist */
    public Optional<Map<String, String>> configMapData(String ns, String name) {
        ConfigMap map = client.configMaps().inNamespace(ns).withName(name).get();
        if (map == null) {
            return Optional.empty();
        }
        return Optional.of(map.getData() == null ? Map.of() : Map.copyOf(map.getData()));
    }
}
