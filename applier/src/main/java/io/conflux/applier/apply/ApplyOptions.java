package io.conflux.applier.apply;

import java.time.Duration;

/**
 * How a bundle is applied, from the Kustomization's spec or a HelmRelease's install/upgrade.
 *
 * @param prune              {@code spec.prune}: delete the objects of the previous inventory that left the bundle
 * @param force              {@code spec.force}: recreate an object whose immutable fields changed (also per object
 *                           with the annotation {@code kustomize.toolkit.fluxcd.io/force: enabled}); a HelmRelease's
 *                           {@code upgrade.force}
 * @param waitTimeout        how long a recreated object may take to disappear before it is created again, and how long
 *                           the CustomResourceDefinitions and Namespaces may take to be ready ({@code spec.timeout})
 * @param waitForDefinitions whether the bundle is applied in stages as kustomize-controller does
 *                           ({@code ssa.ResourceManager.ApplyAllStaged}): CustomResourceDefinitions and Namespaces
 *                           first, then a wait (up to {@code waitTimeout}) until they are Current — a CRD
 *                           {@code Established=True} — then the other objects. Off for Helm charts, whose templated
 *                           CRDs Helm applies without waiting
 * @param pollInterval       time between two reads while waiting for the definitions (kustomize-controller: 2s)
 * @param helmCrds           null for a Kustomization; for a Helm release its CRD policy, which also switches on Helm's
 *                           keep rules: CustomResourceDefinitions and objects annotated
 *                           {@code helm.sh/resource-policy: keep} (in the cluster) are never pruned or deleted (they
 *                           leave the inventory, reported {@code skipped}); {@link CrdPolicy#SKIP} leaves the bundle's
 *                           CRDs out of the apply, {@link CrdPolicy#CREATE} creates missing ones and leaves existing
 *                           ones unchanged, {@link CrdPolicy#CREATE_REPLACE} applies them
 */
public record ApplyOptions(boolean prune, boolean force, Duration waitTimeout, boolean waitForDefinitions,
                           Duration pollInterval, CrdPolicy helmCrds) {

    /** kustomize-controller's interval between two reads of the objects it waits for. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

    /** Options of a Kustomization (no Helm rules). */
    public ApplyOptions(boolean prune, boolean force, Duration waitTimeout, boolean waitForDefinitions,
                        Duration pollInterval) {
        this(prune, force, waitTimeout, waitForDefinitions, pollInterval, null);
    }

    /** Options that apply every object in one stage, without waiting for the definitions, without Helm rules. */
    public ApplyOptions(boolean prune, boolean force, Duration waitTimeout) {
        this(prune, force, waitTimeout, false, DEFAULT_POLL_INTERVAL, null);
    }

    /**
     * @param prune       whether objects that left the bundle are deleted (always, for a release)
     * @param force       {@code upgrade.force}
     * @param waitTimeout how long a recreated object may take to go
     * @param crds        the action's CRD policy, never null
     * @return the options of a Helm release's install, upgrade, rollback or uninstall
     */
    public static ApplyOptions helm(boolean prune, boolean force, Duration waitTimeout, CrdPolicy crds) {
        return new ApplyOptions(prune, force, waitTimeout, false, DEFAULT_POLL_INTERVAL, java.util.Objects.requireNonNull(crds));
    }

    /** @return whether Helm's rules hold (CRDs and {@code keep} objects never pruned) */
    public boolean helm() {
        return helmCrds != null;
    }
}
