package io.conflux.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.meta.GoDuration;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
    @Test
    void parsesFluxIntervals() {
        assertThat(GoDuration.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(GoDuration.parse("1h0m0s")).isEqualTo(Duration.ofHours(1));
        assertThat(GoDuration.parse("5m0s")).isEqualTo(Duration.ofMinutes(5));
        assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> GoDuration.parse("10 minutes")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GoDuration.parse("m")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsLikeGo() {
        assertThat(GoDuration.format(Duration.ofMinutes(10))).isEqualTo("10m0s");
        assertThat(GoDuration.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
        assertThat(GoDuration.format(Duration.ofSeconds(30))).isEqualTo("30s");
    }
}
