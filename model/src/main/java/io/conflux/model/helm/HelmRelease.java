package io.conflux.model.helm;

import io.conflux.model.kustomize.KustomizationStatus;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Flux's {@code HelmRelease} ({@code helm.toolkit.fluxcd.io/v2}). Its status uses the same fields Conflux
 * writes for Kustomizations (conditions, revisions, inventory), so history and events stay consistent.
 */
@Group(HelmRelease.GROUP)
@Version("v2")
@Kind(HelmRelease.KIND)
@Plural("helmreleases")
public class HelmRelease extends CustomResource<HelmReleaseSpec, KustomizationStatus> implements Namespaced {
    public static final String GROUP = "helm.toolkit.fluxcd.io";
    public static final String KIND = "HelmRelease";
}
