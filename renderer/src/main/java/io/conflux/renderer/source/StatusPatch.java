package io.conflux.renderer.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes part of a source object's status on the management cluster: a JSON merge patch of its status subresource. */
public final class StatusPatch {
    private StatusPatch() {
    }

    /**
     * @param status the status fields to set (merge patch: absent fields are kept, maps merged, lists replaced)
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the object is gone or the patch is refused
     */
    public static <T extends HasMetadata> void merge(KubernetesClient client, ObjectMapper json, Class<T> type,
                                                     String namespace, String name, Map<String, Object> status) {
        try {
            client.resources(type).inNamespace(namespace).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), json.writeValueAsString(Map.of("status", status)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
