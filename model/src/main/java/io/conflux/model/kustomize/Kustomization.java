package io.conflux.model.kustomize;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code Kustomization} ({@code kustomize.toolkit.fluxcd.io/v1}): a path of a source, built with
 * kustomize and applied to a target cluster.
 */
@Group(Kustomization.GROUP)
@Version(Kustomization.VERSION)
@Kind(Kustomization.KIND)
@Plural("kustomizations")
public class Kustomization extends CustomResource<KustomizationSpec, KustomizationStatus> implements Namespaced {
    public static final String GROUP = "kustomize.toolkit.fluxcd.io";
    public static final String VERSION = "v1";
    public static final String KIND = "Kustomization";

    /** Annotation {@code kustomize.toolkit.fluxcd.io/prune: disabled} keeps an object from being pruned. */
    public static final String PRUNE_ANNOTATION = GROUP + "/prune";
    /** Annotation {@code kustomize.toolkit.fluxcd.io/ssa: Ignore|IfNotPresent|Merge}. */
    public static final String SSA_ANNOTATION = GROUP + "/ssa";
    /** Annotation {@code kustomize.toolkit.fluxcd.io/reconcile: disabled}. */
    public static final String RECONCILE_ANNOTATION = GROUP + "/reconcile";
    /** Label Flux puts on applied objects: the owning Kustomization's name. */
    public static final String NAME_LABEL = GROUP + "/name";
    /** Label Flux puts on applied objects: the owning Kustomization's namespace. */
    public static final String NAMESPACE_LABEL = GROUP + "/namespace";
    /** Annotation {@code reconcile.fluxcd.io/requestedAt} set by {@code flux reconcile}. */
    public static final String REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt";
}
