package io.conflux.receiver.decide;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The receiver's keys ({@code conflux.receiver.*}), documented with their defaults in {@code application.properties}. */
@ConfigMapping(prefix = "conflux.receiver")
public interface ReceiverConfig {

    /** {@code conflux.receiver.max-body-size}: largest webhook body accepted (bytes); larger is answered 413. */
    @WithName("max-body-size")
    MemorySize maxBodySize();

    /** {@code conflux.receiver.rate-limit.*}: per-Receiver request budget; over it, 429. */
    @WithName("rate-limit")
    RateLimit rateLimit();

    /** {@code conflux.receiver.default-timeout}: ls-remote bound when {@code spec.timeout} is unset. */
    @WithName("default-timeout")
    Duration defaultTimeout();

    /** {@code conflux.receiver.fallback-interval}: poll interval when {@code spec.interval} is missing or invalid. */
    @WithName("fallback-interval")
    Duration fallbackInterval();

    /**
     * {@code conflux.receiver.requeue-after-failure}: wait before the next reconcile of a source whose reconcile
     * failed on infrastructure (PostgreSQL, the API server, a full or timed-out queue), at most its interval.
     */
    @WithName("requeue-after-failure")
    Duration requeueAfterFailure();

    /** {@code conflux.receiver.receiver-resync}: period at which every Receiver is recomputed. */
    @WithName("receiver-resync")
    Duration receiverResync();

    /**
     * {@code conflux.receiver.control-token-file}: a file holding the bearer token of the control API ({@code /api/*});
     * empty turns the control API off (every call answered 403).
     */
    @WithName("control-token-file")
    Optional<Path> controlTokenFile();

    /**
     * {@code conflux.receiver.warm-up-requests}: requests the receiver sends its own webhook endpoint once its HTTP
     * server listens, each answered 404, after one reconcile request of a GitRepository that cannot exist through
     * {@code conflux.reconcile-requests} ({@code WebhookWarmUp}); 0 sends none of them.
     */
    @WithName("warm-up-requests")
    int warmUpRequests();

    /** A token bucket: {@code requests} calls per {@code period}, refilled continuously. */
    interface RateLimit {
        /** @return requests allowed per period (also the burst size) */
        int requests();

        /** @return the refill period */
        Duration period();
    }
}
