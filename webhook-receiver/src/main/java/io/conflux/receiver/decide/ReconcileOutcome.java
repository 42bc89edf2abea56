package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;

/**
 * What one reconciliation of a GitRepository did.
 *
 * @param source   the GitRepository
 * @param result   what happened
 * @param revision the revision resolved (null when none was)
 * @param message  detail: the error for {@link Result#FAILED}
 */
public record ReconcileOutcome(ObjectKey source, Result result, String revision, String message) {

    /** What happened. */
    public enum Result {
        /** A new (revision, generation) was written to status, recorded and published. */
        PUBLISHED,
        /** The revision and generation were already published; nothing was sent. */
        UNCHANGED,
        /** Resolving failed; {@code Ready=False} was written, the last good revision kept. */
        FAILED,
        /** {@code spec.suspend} is true; nothing was done. */
        SUSPENDED,
        /** No such GitRepository in the cache. */
        NOT_FOUND
    }
}
