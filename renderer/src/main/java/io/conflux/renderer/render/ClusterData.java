package io.conflux.renderer.render;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads Secret and ConfigMap data from the management cluster for rendering ({@code valuesFrom}, repository
 * credentials). Blocking; call from a worker thread.
 */
@ApplicationScoped
public class ClusterData {
    @Inject
    KubernetesClient client;

    /** @return the Secret's data base64-decoded ({@code stringData} merged in), or null when it does not exist */
    public Map<String, String> data(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            out.putAll(secret.getStringData());
        }
        return out;
    }

    /** @return the ConfigMap's data, or null when it does not exist */
    public Map<String, String> configMapData(String namespace, String name) {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
        return cm == null ? null : cm.getData() == null ? Map.of() : cm.getData();
    }
}
