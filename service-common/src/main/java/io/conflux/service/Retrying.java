package io.conflux.service;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Retries a Kafka handler's work through transient failures ({@link Transient#is(Throwable)}) with exponential
 * backoff and jitter (Mutiny's {@code retry().withBackOff}), so that only poison reaches the channel's dead-letter
 * queue. Every Kafka handler wraps its work in {@link #untilDone}.
 *
 * <p>Keys: {@code conflux.retry.initial-backoff} (first wait), {@code conflux.retry.max-backoff} (cap of the
 * doubling wait). Jitter is ±50% of each wait.
 */
@ApplicationScoped
public class Retrying {
    private static final double JITTER = 0.5;

    @ConfigProperty(name = "conflux.retry.initial-backoff")
    Duration initialBackoff;

    @ConfigProperty(name = "conflux.retry.max-backoff")
    Duration maxBackoff;

    /** For CDI; the backoff comes from configuration. */
    public Retrying() {
    }

    /**
     * For code built by hand (tests).
     *
     * @param initialBackoff first wait, positive
     * @param maxBackoff     cap of the wait, not below {@code initialBackoff}
     */
    public Retrying(Duration initialBackoff, Duration maxBackoff) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * @param work       the work, called afresh for each attempt (a failure thrown by the supplier counts as one)
     * @param stillOwned asked before each retry: while it holds transient failures are retried indefinitely
     * @return a Uni of the work's item; it fails with the first poison failure (→ DLQ); when a transient failure
     *         happens after {@code stillOwned} stopped holding, it completes with a null item instead — the new
     *         owner of the key does the work (it resumes from PostgreSQL / re-reads the uncommitted record), and
     *         a dead-letter must not be written for it
     */
    public <T> Uni<T> untilDone(Supplier<Uni<T>> work, BooleanSupplier stillOwned) {
        return Uni.createFrom().<T>deferred(work::get)
                .onFailure(e -> Transient.is(e) && stillOwned.getAsBoolean())
                .retry().withBackOff(initialBackoff, maxBackoff).withJitter(JITTER).indefinitely()
                .onFailure(Transient::is).recoverWithNull();
    }
}
