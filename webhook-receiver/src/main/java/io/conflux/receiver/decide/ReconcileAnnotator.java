package io.conflux.receiver.decide;

import java.time.Instant;
import java.util.List;

/**
 * Asks objects of kinds other than {@code GitRepository} to reconcile the way Flux's notification-controller does
 * for a verified webhook: the annotation {@code reconcile.fluxcd.io/requestedAt} set to the time of the request
 * (implemented by {@code produce.ReconcileRequester}, which writes to the API server). Blocking.
 */
public interface ReconcileAnnotator {

    /** What became of one object (or of a {@code *} entry that named none). */
    enum Result {
        /** The annotation was set. */
        ANNOTATED,
        /** No such object ({@code *}: no object of the kind carries the labels); Flux logs it as an error. */
        NOT_FOUND,
        /** The kind is not served by the API server in that apiVersion, or has no apiVersion: nothing to annotate. */
        SKIPPED,
        /** The API server refused or failed the request; the sender may retry. */
        FAILED
    }

    /**
     * @param object  {@code Kind/namespace/name} ({@code name} is {@code *} for a wildcard that named nothing or
     *                could not be listed)
     * @param result  what happened
     * @param message why, for every result but {@link Result#ANNOTATED}
     */
    record Outcome(String object, Result result, String message) {
    }

    /**
     * Annotates every object the requests name, each independently: a missing or unserved one is reported and the
     * others are still annotated, as Flux goes on through {@code spec.resources} after an error.
     *
     * @param requests    the resolved entries ({@link ResourceSelection#requests})
     * @param requestedAt the value to set, the time of the webhook request
     * @return one outcome per object annotated or failed, in order
     */
    List<Outcome> request(List<ReconcileRequest> requests, Instant requestedAt);
}
