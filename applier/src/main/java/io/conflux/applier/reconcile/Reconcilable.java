package io.conflux.applier.reconcile;

import io.conflux.applier.persist.StoredState;
import io.conflux.applier.release.HelmReasons;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.meta.Conditions;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.kustomize.KustomizationStatus;
import io.conflux.model.meta.DependencyReference;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the applier needs of an object it reconciles, read once from a {@code Kustomization} or a {@code HelmRelease}:
 * the variant chosen here picks the object's {@link ReconcileStrategy} (apply, prune and health checks for a
 * Kustomization; helm-controller's install/upgrade with remediation for a HelmRelease), so the reconciler never asks
 * for the kind again. A HelmRelease's rendered chart objects are applied and pruned like a Kustomization's inventory,
 * with helm-controller's labels {@code helm.toolkit.fluxcd.io/name|namespace} instead of kustomize-controller's.
 */
public sealed interface Reconcilable permits Reconcilable.OfKustomization, Reconcilable.OfHelmRelease {

    /** The finalizer both controllers put on the objects they reconcile ({@code fluxcd/pkg/apis/meta}'s). */
    String FINALIZER = "finalizers.fluxcd.io";

    /** @return the view of a Kustomization or HelmRelease, empty for other kinds */
    static Optional<Reconcilable> of(CustomResource<?, ?> object) {
        if (object instanceof Kustomization k) {
            return Optional.of(new OfKustomization(k));
        }
        if (object instanceof HelmRelease hr) {
            return Optional.of(new OfHelmRelease(hr));
        }
        return Optional.empty();
    }

    /** @return the object as watched */
    CustomResource<?, KustomizationStatus> object();

    /**
     * The act step, by this kind's strategy (chosen here, once): applies the stored desired state to the target.
     *
     * @param strategies the strategies of both kinds
     * @param stored     the object's stored state, {@code stored.desired()} not null
     * @param run        this run
     * @return the attempt to record
     */
    Uni<Attempt> act(Strategies strategies, StoredState stored, Run run);

    /** @return whether objects that left the bundle are deleted ({@code spec.prune}; always for HelmReleases) */
    boolean prune();

    /**
     * @return {@code spec.deletionPolicy}: {@code MirrorPrune} (the default: delete the inventory iff {@link #prune()}),
     *         {@code Delete}, {@code WaitForTermination} or {@code Orphan}, or an unknown string as written;
     *         HelmReleases have none ({@code MirrorPrune}, and they always prune)
     */
    String deletionPolicy();

    /** @return {@code spec.retryInterval}, Go duration or null (HelmReleases have none) */
    String retryInterval();

    /** @return same-kind dependencies ({@code spec.dependsOn}) */
    List<DependencyReference> dependsOn();

    /** @return {@code spec.kubeConfig}: the remote target cluster, or null for the management cluster */
    KubeConfigReference kubeConfig();

    /** @return the labels put on every applied object, naming this object */
    Map<String, String> ownerLabels();

    /** @return {@code spec.force}: recreate objects whose immutable fields changed (Kustomizations only) */
    boolean force();

    /** @return {@code spec.suspend} */
    boolean suspended();

    /** @return {@code spec.interval}, Go duration or null */
    String interval();

    /** @return {@code spec.timeout}, Go duration or null */
    String timeout();

    /** @return {@code spec.serviceAccountName}, impersonated on the target cluster, or null */
    String serviceAccountName();

    /** @return {@code Kind/namespace/name} of a Kustomization's {@code sourceRef}; empty for other kinds */
    Optional<String> source();

    /**
     * @param succeeded whether the finalization's prune succeeded
     * @return the reason of a finalization's history row, event and (failed) Ready condition
     */
    String deletionReason(boolean succeeded);

    /** @return {@code Kind/namespace/name} */
    default ObjectKey key() {
        ObjectMeta meta = object().getMetadata();
        return new ObjectKey(object().getKind(), meta.getNamespace(), meta.getName());
    }

    /** @return {@code metadata.generation}, 0 when unset */
    default long generation() {
        Long generation = object().getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    /** @return the current status, or null */
    default KustomizationStatus status() {
        return object().getStatus();
    }

    /**
     * @return the revision last applied with success: a Kustomization's {@code status.lastAppliedRevision}; null when
     *         none (or no status)
     */
    default String appliedRevision() {
        return status() == null ? null : status().lastAppliedRevision();
    }

    /** @return the {@code reconcile.fluxcd.io/requestedAt} annotation, or null */
    default String requestedAt() {
        Map<String, String> annotations = object().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(Kustomization.REQUESTED_AT_ANNOTATION);
    }

    /** @return whether the object is being deleted ({@code metadata.deletionTimestamp} set) */
    default boolean deleting() {
        return object().getMetadata().getDeletionTimestamp() != null;
    }

    /** @return whether {@code metadata.finalizers} holds {@link #FINALIZER} */
    default boolean hasFinalizer() {
        List<String> finalizers = object().getMetadata().getFinalizers();
        return finalizers != null && finalizers.contains(FINALIZER);
    }

    /**
     * A Kustomization: applied in kustomize-controller's stages, pruned with {@code spec.prune}, health-checked with
     * {@code spec.wait} and {@code spec.healthChecks}.
     *
     * @param object the Kustomization as watched
     */
    record OfKustomization(Kustomization object) implements Reconcilable {
        @Override
        public Uni<Attempt> act(Strategies strategies, StoredState stored, Run run) {
            return strategies.kustomization().act(this, stored, run);
        }

        @Override
        public boolean prune() {
            return object.getSpec().pruneEnabled();
        }

        @Override
        public String deletionPolicy() {
            return object.getSpec().deletionPolicyOrDefault();
        }

        /** @return {@code Finalized} (Conflux's), or kustomize-controller's {@code PruneFailed} */
        @Override
        public String deletionReason(boolean succeeded) {
            return succeeded ? "Finalized" : "PruneFailed";
        }

        @Override
        public String retryInterval() {
            return object.getSpec().retryInterval();
        }

        @Override
        public List<DependencyReference> dependsOn() {
            return object.getSpec().dependsOn();
        }

        @Override
        public KubeConfigReference kubeConfig() {
            return object.getSpec().kubeConfig();
        }

        @Override
        public Map<String, String> ownerLabels() {
            return Map.of(Kustomization.NAME_LABEL, object.getMetadata().getName(),
                    Kustomization.NAMESPACE_LABEL, object.getMetadata().getNamespace());
        }

        @Override
        public boolean force() {
            return Boolean.TRUE.equals(object.getSpec().force());
        }

        @Override
        public boolean suspended() {
            return object.getSpec().suspended();
        }

        @Override
        public String interval() {
            return object.getSpec().interval();
        }

        @Override
        public String timeout() {
            return object.getSpec().timeout();
        }

        @Override
        public String serviceAccountName() {
            return object.getSpec().serviceAccountName();
        }

        @Override
        public Optional<String> source() {
            var ref = object.getSpec().sourceRef();
            if (ref == null) {
                return Optional.empty();
            }
            String namespace = ref.namespace() == null || ref.namespace().isEmpty() ? key().namespace() : ref.namespace();
            return Optional.of(ref.kind() + "/" + namespace + "/" + ref.name());
        }
    }

    /**
     * A HelmRelease: released with helm-controller's install/upgrade and remediation; its objects are always pruned.
     *
     * @param object the HelmRelease as watched
     */
    record OfHelmRelease(HelmRelease object) implements Reconcilable {
        /** fabric8's JSON (de)serialization of Kubernetes objects, for tree conversions. */
        private static final KubernetesSerialization KUBERNETES_JSON = new KubernetesSerialization();

        @Override
        public Uni<Attempt> act(Strategies strategies, StoredState stored, Run run) {
            return strategies.release().act(this, stored, run);
        }

        @Override
        public boolean prune() {
            return true;
        }

        /**
         * Flux's HelmRelease v2 status has no {@code lastAppliedRevision} (the API server prunes it): the release is
         * applied at {@code status.lastAttemptedRevision} when {@code Ready=True} for the current generation, as
         * helm-controller's dependency check reads a HelmRelease (Ready at its generation).
         *
         * @return {@code status.lastAttemptedRevision} when Ready for the current generation, else null
         */
        @Override
        public String appliedRevision() {
            var status = status();
            return status != null && Conditions.isReady(status.conditions(), generation())
                    ? status.lastAttemptedRevision() : null;
        }

        @Override
        public String deletionPolicy() {
            return KustomizationSpec.MIRROR_PRUNE;
        }

        /** @return helm-controller's {@code UninstallSucceeded} or {@code UninstallFailed} */
        @Override
        public String deletionReason(boolean succeeded) {
            return succeeded ? HelmReasons.UNINSTALL_SUCCEEDED : HelmReasons.UNINSTALL_FAILED;
        }

        @Override
        public String retryInterval() {
            return null;
        }

        @Override
        public List<DependencyReference> dependsOn() {
            return object.getSpec().dependsOn();
        }

        @Override
        public KubeConfigReference kubeConfig() {
            return object.getSpec().kubeConfig() == null ? null
                    : KUBERNETES_JSON.convertValue(object.getSpec().kubeConfig(), KubeConfigReference.class);
        }

        @Override
        public Map<String, String> ownerLabels() {
            return Map.of(HelmRelease.GROUP + "/name", object.getMetadata().getName(),
                    HelmRelease.GROUP + "/namespace", object.getMetadata().getNamespace());
        }

        @Override
        public boolean force() {
            return false;
        }

        @Override
        public boolean suspended() {
            return Boolean.TRUE.equals(object.getSpec().suspend());
        }

        @Override
        public String interval() {
            return object.getSpec().interval();
        }

        @Override
        public String timeout() {
            return object.getSpec().timeout();
        }

        @Override
        public String serviceAccountName() {
            return object.getSpec().serviceAccountName();
        }

        @Override
        public Optional<String> source() {
            return Optional.empty();
        }

        /** @return helm-controller's {@code <target namespace>/<release name>} ({@code [<targetNamespace>-]<name>} by default) */
        public String releaseName() {
            var s = object.getSpec();
            String namespace = s.targetNamespace() != null ? s.targetNamespace() : object.getMetadata().getNamespace();
            String name = s.releaseName() != null ? s.releaseName()
                    : (s.targetNamespace() != null ? s.targetNamespace() + "-" : "") + object.getMetadata().getName();
            return namespace + "/" + name;
        }
    }
}
