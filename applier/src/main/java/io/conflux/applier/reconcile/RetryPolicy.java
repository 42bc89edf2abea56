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
 * ({@link #afterError}). The same limiter puts back a reconcile that returned {@code Requeue: true} without
 * forgetting the count (helm-controller's install/upgrade failure with remediation retries left,
 * {@code ErrMustRequeue}), and every reconcile that returned an error: in Conflux a run that failed as a whole — its
 * status write refused, its record in the database failed, the job timed out ({@code conflux.queue.job-timeout}) —
 * as kustomize-controller's and helm-controller's deferred status patch joins its error to the returned one.</li>
 * </ul>
 * kustomize-controller's failed apply or health check is not one of these: it returns {@code RequeueAfter:
 * retryInterval} without error ({@link Records#nextRunIn}), and controller-runtime forgets the count.
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
        return doubling(before, minRetryDelay, maxRetryDelay);
    }

    /**
     * An exponential backoff, as client-go's {@code ItemExponentialFailureRateLimiter}: also the finalizer's
     * ({@link DeletionAttempt}).
     *
     * @param before how many failures in a row came before this one (0 or negative: {@code first})
     * @param first  the wait after a first failure
     * @param max    the longest wait
     * @return {@code first × 2^before}, at most {@code max}
     */
    static Duration doubling(int before, Duration first, Duration max) {
        Duration wait = first;
        for (int i = 0; i < before && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }

    /**
     * {@code conflux.applier.release-retry-interval} no longer applies: a HelmRelease install/upgrade failure with
     * remediation retries left runs again after {@link #afterError}, as helm-controller's {@code ErrMustRequeue}.
     *
     * @param releaseRetryInterval the key's value, empty when unset
     * @return the warning to log at start when the key is set, else empty
     */
    public static java.util.Optional<String> deprecatedReleaseRetryInterval(java.util.Optional<Duration> releaseRetryInterval) {
        return releaseRetryInterval.map(value -> "conflux.applier.release-retry-interval (" + value + ") is deprecated"
                + " and ignored: a HelmRelease install or upgrade that failed with remediation retries left runs again"
                + " after conflux.applier.min-retry-delay, doubled after each further failure in a row up to"
                + " conflux.applier.max-retry-delay, as helm-controller requeues it through controller-runtime's rate"
                + " limiter; remove the key");
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be positive: " + value);
        }
    }
}
