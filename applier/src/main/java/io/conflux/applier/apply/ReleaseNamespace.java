package io.conflux.applier.apply;

import io.conflux.model.helm.HelmRelease;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;

/**
 * A HelmRelease's {@code spec.install.createNamespace}: as helm-controller does (Helm's {@code --create-namespace}),
 * the release namespace ({@code spec.targetNamespace}, else the HelmRelease's own) is created on the target cluster
 * when it does not exist yet. The namespace is not part of the release: it is not in the inventory, so uninstalling
 * or pruning never deletes it. Blocking.
 */
public final class ReleaseNamespace {
    private ReleaseNamespace() {
    }

    /**
     * @param target the release's target cluster
     * @param hr     the HelmRelease
     * @return the namespace created, or null when none was asked for or it already existed
     * @throws KubernetesClientException when the namespace cannot be read or created (e.g. forbidden)
     */
    public static String ensure(KubernetesClient target, HelmRelease hr) {
        Map<String, Object> install = hr.getSpec().install();
        if (install == null || !Boolean.TRUE.equals(install.get("createNamespace"))) {
            return null;
        }
        String namespace = hr.getSpec().targetNamespace() != null && !hr.getSpec().targetNamespace().isEmpty()
                ? hr.getSpec().targetNamespace() : hr.getMetadata().getNamespace();
        if (target.namespaces().withName(namespace).get() != null) {
            return null;
        }
        try {
            target.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return null;
        }
        return namespace;
    }
}
