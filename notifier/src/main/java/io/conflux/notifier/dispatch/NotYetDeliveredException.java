package io.conflux.notifier.dispatch;

/**
 * An event could not be delivered yet, for a reason that passes: a Provider unreachable or answering 429/5xx
 * through its whole retry policy (the delivery is {@code RETRYING}), or the same notification being sent right now by
 * another notifier process ({@link DeliveryDecision.Kind#IN_FLIGHT}). A transient failure: the {@code events} handler
 * retries the event with backoff while this replica owns its key, and never dead-letters it for this.
 */
public class NotYetDeliveredException extends RuntimeException {
    /** @param message which deliveries are not done and why (no secret: Provider errors are masked) */
    public NotYetDeliveredException(String message) {
        super(message);
    }
}
