package io.conflux.applier.apply;

import java.time.Duration;

/**
 * How a bundle is applied, from the Kustomization's spec (a HelmRelease always prunes and never forces).
 *
 * @param prune       {@code spec.prune}: delete the objects of the previous inventory that left the bundle
 * @param force       {@code spec.force}: recreate an object whose immutable fields changed (also per object with the
 *                    annotation {@code kustomize.toolkit.fluxcd.io/force: enabled})
 * @param waitTimeout how long a recreated object may take to disappear before it is created again
 */
public record ApplyOptions(boolean prune, boolean force, Duration waitTimeout) {
}
