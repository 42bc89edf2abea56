package io.conflux.notifier.deliver;

/**
 * The result of sending one {@link OutgoingRequest} with retries.
 *
 * @param delivered  whether a call got a {@code 2xx} response
 * @param attempts   how many calls were made, at least 1
 * @param statusCode HTTP status of the last call, or null when it got no response
 * @param error      why the last call failed (token masked), or null when delivered
 */
public record DeliveryOutcome(boolean delivered, int attempts, Integer statusCode, String error) {
}
