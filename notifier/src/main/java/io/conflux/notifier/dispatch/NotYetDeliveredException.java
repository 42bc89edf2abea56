package io.conflux.notifier.dispatch;

import java.util.concurrent.TimeoutException;

/**
 * An event could not be delivered yet, for a reason that passes: a Provider unreachable or answering 429/5xx
 * through its whole retry policy (the delivery is {@code RETRYING}), or the same notification being sent right now by
 * another notifier process ({@link DeliveryDecision.Kind#IN_FLIGHT}). A transient failure: the {@code events} handler
 * retries the event with backoff while this replica owns its key, and never dead-letters it for this. Its cause is a
 * {@link TimeoutException} — the delivery did not complete within its retry budget — which is what service-common's
 * {@code Transient.is} recognises as transient.
 */
public class NotYetDeliveredException extends RuntimeException {
    /** @param message which deliveries are not done and why (no secret: Provider errors are masked) */
    public NotYetDeliveredException(String message) {
        super(message, new TimeoutException("not delivered within the retry budget; retried later"));
    }
}
