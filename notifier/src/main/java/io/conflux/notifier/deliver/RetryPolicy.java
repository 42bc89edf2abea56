package io.conflux.notifier.deliver;

import java.time.Duration;

/**
 * How a failed HTTP call is retried: at most {@code maxAttempts} calls in all; before call {@code n+1} the sender
 * waits {@code initialBackoff * 2^(n-1)}, at most {@code maxBackoff}, or the response's {@code Retry-After} when
 * that is longer (also capped at {@code maxBackoff}). Only transport errors (connection refused, timeouts),
 * {@code 429} and {@code 5xx} responses are retried; other {@code 4xx} responses fail at once.
 *
 * @param maxAttempts    calls in all, at least 1
 * @param initialBackoff wait before the second call
 * @param maxBackoff     longest wait between two calls
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    /** @throws IllegalArgumentException when {@code maxAttempts < 1} or a duration is negative */
    public RetryPolicy {
        if (maxAttempts < 1 || initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("invalid retry policy " + maxAttempts + "/" + initialBackoff + "/" + maxBackoff);
        }
    }

    /**
     * @param attempt    the number of the call that failed, from 1
     * @param retryAfter the server's {@code Retry-After}, or null
     * @return how long to wait before the next call
     */
    public Duration delayAfter(int attempt, Duration retryAfter) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < attempt && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        if (retryAfter != null && retryAfter.compareTo(backoff) > 0) {
            backoff = retryAfter;
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }
}
