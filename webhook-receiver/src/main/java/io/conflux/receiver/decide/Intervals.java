package io.conflux.receiver.decide;

import io.conflux.model.meta.GoDuration;
import java.time.Duration;

/**
 * Reads Flux's {@code spec.interval} and {@code spec.timeout} (Go durations such as {@code 1m}, {@code 5m0s},
 * {@code 1h0m0s}, parsed by {@link GoDuration}) with the configured value for a missing, invalid or non-positive one.
 */
public final class Intervals {
    private Intervals() {
    }

    /**
     * @param text     the Go duration, may be null
     * @param fallback used when {@code text} is null, empty, not a Go duration, or zero/negative
     * @return a positive duration
     */
    public static Duration parse(String text, Duration fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            Duration d = GoDuration.parse(text.trim());
            return d.isZero() || d.isNegative() ? fallback : d;
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }
}
