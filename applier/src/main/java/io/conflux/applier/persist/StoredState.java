package io.conflux.applier.persist;

/**
 * What one short session reads of an object before a reconcile.
 *
 * @param desired   its desired state (the latest render result kept), or null when none arrived yet
 * @param inventory what it applied last, or null when nothing yet
 * @param release   a HelmRelease's release state, or null (Kustomizations, or nothing released yet)
 */
public record StoredState(DesiredState desired, InventoryRecord inventory, ReleaseState release) {
}
