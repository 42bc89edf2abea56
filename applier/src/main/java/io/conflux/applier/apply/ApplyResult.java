package io.conflux.applier.apply;

import java.util.List;

/**
 * The outcome of applying one bundle.
 *
 * @param changes   per object, in apply order, then prunes
 * @param inventory the objects now owned (the bundle's objects); on failure, the previous inventory plus what
 *                  was applied before the failure, so that nothing applied is forgotten
 * @param error     null on success, else what failed (naming the object)
 */
public record ApplyResult(List<Change> changes, List<InventoryEntry> inventory, String error) {

    /** @return whether every object was applied and every prune done */
    public boolean succeeded() {
        return error == null;
    }

    /** @return how many changes had the given action */
    public long count(Change.Action action) {
        return changes.stream().filter(c -> c.action() == action).count();
    }

    /** @return the change set lines of what changed (unchanged objects left out), Flux's event message */
    public String changeSet() {
        return String.join("\n", changes.stream().filter(c -> c.action() != Change.Action.UNCHANGED)
                .map(Change::toString).toList());
    }
}
