package io.conflux.applier.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Adds and removes {@link Reconcilable#FINALIZER} on a Kustomization or HelmRelease of the management cluster, with
 * JSON patches that touch no other finalizer. Blocking.
 */
@ApplicationScoped
public class FinalizerPatch {
    @Inject
    KubernetesClient client;

    /**
     * Adds the finalizer (kustomize-controller and helm-controller add it before anything else, suspended or not).
     *
     * @param object the object as watched, not being deleted
     * @throws KubernetesClientException when the API server refuses (422 once the object is being deleted)
     */
    public void add(HasMetadata object) {
        List<String> finalizers = object.getMetadata().getFinalizers();
        String patch = finalizers == null || finalizers.isEmpty()
                ? "[{\"op\":\"add\",\"path\":\"/metadata/finalizers\",\"value\":[\"" + Reconcilable.FINALIZER + "\"]}]"
                : "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"" + Reconcilable.FINALIZER + "\"}]";
        client.resource(object).patch(PatchContext.of(PatchType.JSON), patch);
    }

    /**
     * Removes the finalizer from the object as it is now; the API server then removes an object being deleted that has
     * no other finalizer.
     *
     * @param object the object (its current state is read first)
     * @throws KubernetesClientException when the API server refuses; an object already gone is not an error
     */
    public void remove(HasMetadata object) {
        HasMetadata current;
        try {
            current = client.resource(object).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            throw e;
        }
        if (current == null || current.getMetadata().getFinalizers() == null) {
            return;
        }
        int index = current.getMetadata().getFinalizers().indexOf(Reconcilable.FINALIZER);
        if (index < 0) {
            return;
        }
        String path = "/metadata/finalizers/" + index;
        try {
            client.resource(current).patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"test\",\"path\":\"" + path
                    + "\",\"value\":\"" + Reconcilable.FINALIZER + "\"},{\"op\":\"remove\",\"path\":\"" + path + "\"}]");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }
}
