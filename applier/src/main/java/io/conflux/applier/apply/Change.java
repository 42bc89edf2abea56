package io.conflux.applier.apply;

import java.util.List;

/**
 * What applying or pruning did to one object, as Flux's change set ({@code ssa.ChangeSetEntry}) reports it.
 *
 * @param subject {@code Kind/namespace/name}
 * @param action  created, configured, unchanged, deleted or skipped (not pruned: prune or reconcile disabled, or the
 *                object now belongs to another owner)
 * @param fields  for a configured object, the paths that differed between the live object and the applied one
 *                (e.g. {@code data.a}, {@code spec.replicas}), as far as {@link ObjectApplier} compares them; else empty
 */
public record Change(String subject, Action action, List<String> fields) {

    /** A change without field detail. */
    public Change(String subject, Action action) {
        this(subject, action, List.of());
    }

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

    /** @return the change set line with the fields that changed, e.g. {@code ConfigMap/default/x configured (data.a)} */
    public String describe() {
        return fields.isEmpty() ? toString() : toString() + " (" + String.join(", ", fields) + ")";
    }
}
