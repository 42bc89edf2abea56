package io.conflux.notifier.deliver;

/**
 * The result of sending one {@link OutgoingRequest} with retries.
 *
 * @param delivered  whether a call got a {@code 2xx} response
 * @param attempts   how many calls were made, at least 1
 * @param statusCode HTTP status of the last call, or null when it got no response
 * @param error      why the last call failed (token masked), or null when delivered
 * @param unavailable whether the last call failed in a way {@link RetryPolicy} retries (transport error, 429, 5xx):
 *                    the Provider is unavailable rather than refusing the request, so the notification is worth
 *                    sending again later
 */
public record DeliveryOutcome(boolean delivered, int attempts, Integer statusCode, String error, boolean unavailable) {
}
