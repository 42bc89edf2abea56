package io.conflux.notifier.deliver;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Spaces the calls to each Provider: at most one call per {@code minInterval} per Provider key, so a burst of
 * events does not trip the receiving service's own limit (Slack webhooks accept about one message a second).
 * A caller is delayed until its slot; slots are handed out in call order.
 */
public final class ProviderRateLimiter {
    private final long intervalNanos;
    private final Map<String, Long> nextSlot = new HashMap<>();

    /** @param minInterval least time between two calls to one Provider; zero disables limiting */
    public ProviderRateLimiter(Duration minInterval) {
        this.intervalNanos = minInterval.toNanos();
    }

    /**
     * Reserves the next slot of {@code providerKey}.
     *
     * @return how long the caller must wait before its call (zero when it may call now)
     */
    public synchronized Duration reserve(String providerKey) {
        if (intervalNanos <= 0) {
            return Duration.ZERO;
        }
        long now = System.nanoTime();
        long slot = Math.max(now, nextSlot.getOrDefault(providerKey, now));
        nextSlot.put(providerKey, slot + intervalNanos);
        return Duration.ofNanos(slot - now);
    }

    /** @return a Uni completing once the caller's slot for {@code providerKey} has come */
    public Uni<Void> acquire(String providerKey) {
        Duration wait = reserve(providerKey);
        return wait.isZero() ? Uni.createFrom().voidItem() : Uni.createFrom().voidItem().onItem().delayIt().by(wait);
    }
}
