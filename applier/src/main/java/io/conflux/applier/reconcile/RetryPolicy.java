package io.conflux.applier.reconcile;

import java.time.Duration;

/**
 * When a Kustomization or HelmRelease whose attempt did not get through runs again, besides its {@code spec.interval}
 * and {@code spec.retryInterval} ({@link Records#nextRunIn}): the two requeues of Flux's controllers that do not
 * depend on the object's spec. Pure.
 * <ul>
 * <li>{@code dependsOn} not ready: after {@code requeueDependency}, always the same wait — kustomize-controller's and
 * helm-controller's {@code --requeue-dependency} (30s), returned as a {@code RequeueAfter} of
 * {@code DependencyRequeueInterval}, without backoff (helm-controller says why: a doubling wait would hold dependents
 * up too long) and without jitter.</li>
 * <li>an error returned to controller-runtime (helm-controller's release path failing otherwise than by an
 * install/upgrade failure): the workqueue's rate limiter, fluxcd/pkg {@code runtime/controller.GetRateLimiter},
 * which is client-go's {@code ItemExponentialFailureRateLimiter} of {@code --min-retry-delay} (750ms) and
 * {@code --max-retry-delay} (15m): the minimum after the first error in a row, doubled after each further one, at
 * most the maximum; controller-runtime forgets the count once a reconcile returns without error
 * ({@link #afterError}).</li>
 * </ul>
 *
 * @param requeueDependency {@code conflux.applier.requeue-dependency}, positive
 * @param minRetryDelay     {@code conflux.applier.min-retry-delay}, positive
 * @param maxRetryDelay     {@code conflux.applier.max-retry-delay}, not below {@code minRetryDelay}
 */
public record RetryPolicy(Duration requeueDependency, Duration minRetryDelay, Duration maxRetryDelay) {

    /**
     * @throws IllegalArgumentException naming the key when a duration is not positive or the maximum is below the
     *                                  minimum
     */
    public RetryPolicy {
        positive("conflux.applier.requeue-dependency", requeueDependency);
        positive("conflux.applier.min-retry-delay", minRetryDelay);
        positive("conflux.applier.max-retry-delay", maxRetryDelay);
        if (maxRetryDelay.compareTo(minRetryDelay) < 0) {
            throw new IllegalArgumentException("conflux.applier.max-retry-delay (" + maxRetryDelay
                    + ") must not be below conflux.applier.min-retry-delay (" + minRetryDelay + ")");
        }
    }

    /**
     * @return the policy of {@code conflux.applier.requeue-dependency}, {@code conflux.applier.min-retry-delay} and
     *         {@code conflux.applier.max-retry-delay}
     * @throws IllegalArgumentException as the constructor
     */
    public static RetryPolicy of(ApplierConfig config) {
        return new RetryPolicy(config.requeueDependency(), config.minRetryDelay(), config.maxRetryDelay());
    }

    /**
     * client-go's {@code ItemExponentialFailureRateLimiter.When}: {@code minRetryDelay × 2^before}, at most
     * {@code maxRetryDelay}.
     *
     * @param before how many errors in a row the object had before this one (0 for a first error; negative counts as 0)
     * @return the wait before the run after this error
     */
    public Duration afterError(int before) {
        Duration wait = minRetryDelay;
        for (int i = 0; i < before && wait.compareTo(maxRetryDelay) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : wait;
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be positive: " + value);
        }
    }
}
