package io.conflux.applier.reconcile;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.KustomizationStatus;
import io.conflux.model.meta.DependencyReference;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the applier needs of an object it reconciles, the same for a {@code Kustomization} and a {@code HelmRelease}
 * (whose rendered chart objects are applied and pruned like a Kustomization's inventory, helm-controller's labels
 * {@code helm.toolkit.fluxcd.io/name|namespace} instead of kustomize-controller's).
 *
 * @param key           {@code Kind/namespace/name}
 * @param object        the object as watched
 * @param generation    {@code metadata.generation}
 * @param suspended     {@code spec.suspend}
 * @param prune         whether objects that left the bundle are deleted (always for HelmReleases)
 * @param interval      {@code spec.interval}, Go duration or null
 * @param retryInterval {@code spec.retryInterval}, Go duration or null
 * @param dependsOn     same-kind dependencies
 * @param kubeConfig    remote target cluster, or null
 * @param status        current status, or null
 * @param ownerLabels   labels put on every applied object
 * @param requestedAt   the {@code reconcile.fluxcd.io/requestedAt} annotation, or null
 * @param force         {@code spec.force}: recreate objects whose immutable fields changed (Kustomizations only)
 * @param timeout       {@code spec.timeout}, Go duration or null
 * @param serviceAccountName {@code spec.serviceAccountName}, impersonated on the target cluster, or null
 */
public record Reconcilable(ObjectKey key, CustomResource<?, ?> object, long generation, boolean suspended, boolean prune,
                           String interval, String retryInterval, List<DependencyReference> dependsOn,
                           KubeConfigReference kubeConfig, KustomizationStatus status, Map<String, String> ownerLabels,
                           String requestedAt, boolean force, String timeout, String serviceAccountName) {
    /** fabric8's JSON (de)serialization of Kubernetes objects, for tree conversions. */
    private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

    /** @return the view of a Kustomization or HelmRelease, empty for other kinds */
    public static Optional<Reconcilable> of(CustomResource<?, ?> object) {
        var meta = object.getMetadata();
        ObjectKey key = new ObjectKey(object.getKind(), meta.getNamespace(), meta.getName());
        long generation = meta.getGeneration() == null ? 0 : meta.getGeneration();
        String requestedAt = meta.getAnnotations() == null ? null : meta.getAnnotations().get(Kustomization.REQUESTED_AT_ANNOTATION);
        if (object instanceof Kustomization k) {
            var s = k.getSpec();
            return Optional.of(new Reconcilable(key, k, generation, s.suspended(), s.pruneEnabled(), s.interval(),
                    s.retryInterval(), s.dependsOn(), s.kubeConfig(), k.getStatus(),
                    Map.of(Kustomization.NAME_LABEL, meta.getName(), Kustomization.NAMESPACE_LABEL, meta.getNamespace()),
                    requestedAt, Boolean.TRUE.equals(s.force()), s.timeout(), s.serviceAccountName()));
        }
        if (object instanceof HelmRelease hr) {
            var s = hr.getSpec();
            KubeConfigReference kubeConfig = s.kubeConfig() == null ? null
                    : KUBERNETES_JSON.convertValue(s.kubeConfig(), KubeConfigReference.class);
            return Optional.of(new Reconcilable(key, hr, generation, Boolean.TRUE.equals(s.suspend()), true,
                    s.interval(), null, s.dependsOn(), kubeConfig, hr.getStatus(),
                    Map.of(HelmRelease.GROUP + "/name", meta.getName(), HelmRelease.GROUP + "/namespace", meta.getNamespace()),
                    requestedAt, false, s.timeout(), s.serviceAccountName()));
        }
        return Optional.empty();
    }
}
