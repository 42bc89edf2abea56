package io.conflux.receiver.decide;

import io.conflux.model.meta.ObjectKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-Receiver token bucket ({@code conflux.receiver.rate-limit.requests} per
 * {@code conflux.receiver.rate-limit.period}, refilled continuously, bursts up to {@code requests}); a request
 * finding the bucket empty is answered 429. In memory, per replica.
 */
@ApplicationScoped
public class RateLimiter {
    private final Map<ObjectKey, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private int capacity;
    private double refillPerNano;

    /** CDI constructor; call {@link #configure(int, Duration)} before use (done by {@link #init(ReceiverConfig)}). */
    public RateLimiter() {
        this(System::nanoTime);
    }

    /** @param nanoTime a monotonic clock in nanoseconds (tests pass their own) */
    public RateLimiter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Inject
    void init(ReceiverConfig config) {
        configure(config.rateLimit().requests(), config.rateLimit().period());
    }

    /**
     * @param requests requests allowed per period, at least 1
     * @param period   refill period, positive
     */
    public void configure(int requests, Duration period) {
        if (requests < 1 || period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("rate limit needs requests >= 1 and a positive period");
        }
        this.capacity = requests;
        this.refillPerNano = (double) requests / period.toNanos();
    }

    /** @return whether the receiver may make one more request now (and consumes one token if so) */
    public boolean tryAcquire(ObjectKey receiver) {
        return buckets.computeIfAbsent(receiver, k -> new Bucket(capacity, nanoTime.getAsLong())).take(this);
    }

    /** Forgets a deleted Receiver's bucket. */
    public void forget(ObjectKey receiver) {
        buckets.remove(receiver);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(RateLimiter limiter) {
            long now = limiter.nanoTime.getAsLong();
            tokens = Math.min(limiter.capacity, tokens + (now - last) * limiter.refillPerNano);
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
