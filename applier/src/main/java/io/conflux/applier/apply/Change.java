package io.conflux.applier.apply;

/**
 * What applying or pruning did to one object, as Flux's change set reports it.
 *
 * @param subject {@code Kind/namespace/name}
 * @param action  created, configured, unchanged, deleted or skipped (not pruned: prune or reconcile disabled, or the
 *                object now belongs to another owner)
 */
public record Change(String subject, Action action) {

    /** The change set actions. */
    public enum Action {
        CREATED, CONFIGURED, UNCHANGED, DELETED, SKIPPED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** @return {@code Kind/namespace/name created}, Flux's change set line */
    @Override
    public String toString() {
        return subject + " " + action;
    }
}
