package io.conflux.applier.reconcile;

import io.conflux.applier.persist.StoredState;
import io.smallrye.mutiny.Uni;

/**
 * The act step of one kind: applies an object's stored desired state to its target cluster and returns the pure
 * record of what the attempt writes. Reads what it needs (the bundle) in one short session, then works on the target
 * on a worker thread outside any session; records nothing itself.
 *
 * @param <R> the kind's view
 */
public sealed interface ReconcileStrategy<R extends Reconcilable> permits KustomizationStrategy, ReleaseStrategy {

    /**
     * @param r      the object
     * @param stored its stored state, {@code stored.desired()} not null and not a failure
     * @param run    this run
     * @return the attempt to record; a failure of the Uni is an infrastructure failure (database, bundle missing), run
     *         again later ({@code spec.retryInterval}, else the interval). The HelmRelease strategy returns none: its
     *         failures are error attempts run again after the rate limiter's backoff ({@link ReleaseStrategy#act})
     */
    Uni<Attempt> act(R r, StoredState stored, Run run);
}
