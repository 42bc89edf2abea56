package io.conflux.applier.reconcile;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/**
 * Writes Flux status ({@code Ready} condition, revisions, inventory, observedGeneration) back to a
 * {@code Kustomization} or {@code HelmRelease} on the management cluster, as a JSON merge patch of the status
 * subresource — so {@code kubectl get} and the {@code flux} CLI read it. Blocking.
 */
@ApplicationScoped
public class StatusWriter {
    @Inject
    KubernetesClient client;

    /**
     * @param key    the object
     * @param status status fields to set (a merge patch: absent fields are kept, lists are replaced)
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the object is gone or the patch fails
     */
    public void patch(ObjectKey key, Map<String, Object> status) {
        String body = Serialization.asJson(Map.of("status", status));
        PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
        switch (key.kind()) {
            case Kustomization.KIND -> client.resources(Kustomization.class).inNamespace(key.namespace())
                    .withName(key.name()).subresource("status").patch(merge, body);
            case HelmRelease.KIND -> client.resources(HelmRelease.class).inNamespace(key.namespace())
                    .withName(key.name()).subresource("status").patch(merge, body);
            default -> throw new IllegalArgumentException("no status for kind " + key.kind());
        }
    }
}
