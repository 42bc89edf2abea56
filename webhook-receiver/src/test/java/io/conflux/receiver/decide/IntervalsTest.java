package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IntervalsTest {
    private static final Duration FALLBACK = Duration.ofSeconds(42);

    @Test
    void parsesGoDurationsAsFluxWritesThem() {
        assertThat(Intervals.parse("1m", FALLBACK)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Intervals.parse("5m0s", FALLBACK)).isEqualTo(Duration.ofMinutes(5));
        assertThat(Intervals.parse("1h0m0s", FALLBACK)).isEqualTo(Duration.ofHours(1));
        assertThat(Intervals.parse("30s", FALLBACK)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Intervals.parse("1.5s", FALLBACK)).isEqualTo(Duration.ofMillis(1500));
        assertThat(Intervals.parse("2h45m", FALLBACK)).isEqualTo(Duration.ofMinutes(165));
    }

    @Test
    void missingInvalidOrNonPositiveFallsBack() {
        assertThat(Intervals.parse(null, FALLBACK)).isEqualTo(FALLBACK);
        assertThat(Intervals.parse("", FALLBACK)).isEqualTo(FALLBACK);
        assertThat(Intervals.parse("5 minutes", FALLBACK)).isEqualTo(FALLBACK);
        assertThat(Intervals.parse("10", FALLBACK)).isEqualTo(FALLBACK);
        assertThat(Intervals.parse("0s", FALLBACK)).isEqualTo(FALLBACK);
    }
}
