package io.conflux.applier.apply;

import java.time.Duration;

/**
 * How a bundle is applied, from the Kustomization's spec (a HelmRelease always prunes and never forces).
 *
 * @param prune              {@code spec.prune}: delete the objects of the previous inventory that left the bundle
 * @param force              {@code spec.force}: recreate an object whose immutable fields changed (also per object
 *                           with the annotation {@code kustomize.toolkit.fluxcd.io/force: enabled})
 * @param waitTimeout        how long a recreated object may take to disappear before it is created again, and how long
 *                           the CustomResourceDefinitions and Namespaces may take to be ready ({@code spec.timeout})
 * @param waitForDefinitions whether the bundle is applied in stages as kustomize-controller does
 *                           ({@code ssa.ResourceManager.ApplyAllStaged}): CustomResourceDefinitions and Namespaces
 *                           first, then a wait (up to {@code waitTimeout}) until they are Current — a CRD
 *                           {@code Established=True} — then the other objects. Off for Helm charts, whose templated
 *                           CRDs Helm applies without waiting
 * @param pollInterval       time between two reads while waiting for the definitions (kustomize-controller: 2s)
 */
public record ApplyOptions(boolean prune, boolean force, Duration waitTimeout, boolean waitForDefinitions,
                           Duration pollInterval) {

    /** kustomize-controller's interval between two reads of the objects it waits for. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    /** Options that apply every object in one stage, without waiting for the definitions (Helm's way). */
    public ApplyOptions(boolean prune, boolean force, Duration waitTimeout) {
        this(prune, force, waitTimeout, false, DEFAULT_POLL_INTERVAL);
    }
}
