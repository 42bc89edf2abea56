package io.conflux.model.meta;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * The namespaced Flux kinds Conflux serves, each at the version Conflux reads it, for code that walks every Flux
 * object generically (the applier's no-silent-stall audit, {@code conflux check}). Group, version and plural are those
 * of Flux's CRDs (source-controller, source-watcher, kustomize-controller, helm-controller, notification-controller).
 */
public final class FluxKinds {
    /** Every Flux kind with a {@code status} (and so a {@code Ready} condition), as fabric8 resource contexts. */
    public static final List<ResourceDefinitionContext> WITH_STATUS = List.of(
            kind("source.toolkit.fluxcd.io", "v1", "gitrepositories", "GitRepository"),
            kind("source.toolkit.fluxcd.io", "v1", "helmrepositories", "HelmRepository"),
            kind("source.toolkit.fluxcd.io", "v1", "helmcharts", "HelmChart"),
            kind("source.toolkit.fluxcd.io", "v1", "ocirepositories", "OCIRepository"),
            kind("source.toolkit.fluxcd.io", "v1", "buckets", "Bucket"),
            kind("source.toolkit.fluxcd.io", "v1", "externalartifacts", "ExternalArtifact"),
            kind("source.extensions.fluxcd.io", "v1beta1", "artifactgenerators", "ArtifactGenerator"),
            kind("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization"),
            kind("helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease"),
            kind("notification.toolkit.fluxcd.io", "v1", "receivers", "Receiver"));

    /** The static kinds of notification-controller v1beta3, which have no {@code status}: Provider and Alert. */
    public static final List<ResourceDefinitionContext> STATIC = List.of(
            kind("notification.toolkit.fluxcd.io", "v1beta3", "providers", "Provider"),
            kind("notification.toolkit.fluxcd.io", "v1beta3", "alerts", "Alert"));

    private FluxKinds() {
    }

    private static ResourceDefinitionContext kind(String group, String version, String plural, String kind) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withPlural(plural)
                .withKind(kind).withNamespaced(true).build();
    }
}
