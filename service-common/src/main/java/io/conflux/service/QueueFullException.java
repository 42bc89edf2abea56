package io.conflux.service;

/**
 * A {@link KeyedSerialQueue} refused a job because its key already has the configured maximum of waiting jobs
 * ({@code conflux.queue.max-waiting-per-key}). Transient ({@link Transient#is(Throwable)}): the caller retries
 * later, once the key's backlog drained.
 */
public final class QueueFullException extends RuntimeException {
    /** @param key the object key whose backlog is full; @param max the bound that was reached */
    public QueueFullException(String key, int max) {
        super("queue of " + key + " already has " + max + " waiting jobs");
    }
}
