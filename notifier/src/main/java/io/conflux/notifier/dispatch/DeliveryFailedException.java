package io.conflux.notifier.dispatch;

/**
 * An event could not be delivered to at least one Provider within the retry budget. Failing the Kafka handler
 * with it sends the event to {@code conflux.events.dlq} (the channel's dead-letter-queue failure strategy); the
 * deliveries are already recorded as {@code FAILED} with their last error.
 */
public class DeliveryFailedException extends RuntimeException {
    /** @param message which deliveries failed and why */
    public DeliveryFailedException(String message) {
        super(message);
    }
}
