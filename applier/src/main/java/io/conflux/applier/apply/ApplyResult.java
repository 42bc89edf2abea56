package io.conflux.applier.apply;

import java.util.List;

/**
 * The outcome of applying one bundle.
 *
 * @param changes   per object, in apply order, then prunes
 * @param inventory the objects now owned (the bundle's objects); on failure, the previous inventory plus what
 *                  was applied before the failure, so that nothing applied is forgotten
 * @param error     null on success, else what failed (naming the object)
 * @param reason    Flux reason of a failure ({@code ReconciliationFailed}, {@code HealthCheckFailed}); null on success
 */
public record ApplyResult(List<Change> changes, List<InventoryEntry> inventory, String error, String reason) {

    /** @return an apply result; a failure has reason {@code ReconciliationFailed} */
    public static ApplyResult of(List<Change> changes, List<InventoryEntry> inventory, String error) {
        return new ApplyResult(changes, inventory, error, error == null ? null : "ReconciliationFailed");
    }

    /** @return this result, failed with {@code reason} and {@code error} (changes and inventory kept) */
    public ApplyResult failedWith(String reason, String error) {
        return new ApplyResult(changes, inventory, error, reason);
    }

    /** @return whether every object was applied and every prune done */
    public boolean succeeded() {
        return error == null;
    }

    /** @return how many changes had the given action */
    public long count(Change.Action action) {
        return changes.stream().filter(c -> c.action() == action).count();
    }

    /**
     * @return what changed, one {@code Kind/namespace/name action (fields)} per object joined by {@code "; "}
     *         (unchanged objects left out): on a periodic run, the drift that was corrected
     */
    public String drift() {
        return String.join("; ", changes.stream().filter(c -> c.action() != Change.Action.UNCHANGED)
                .map(Change::describe).toList());
    }

    /** @return the change set lines of what changed (unchanged objects left out), Flux's event message */
    public String changeSet() {
        return String.join("\n", changes.stream().filter(c -> c.action() != Change.Action.UNCHANGED)
                .map(Change::toString).toList());
    }
}
