package io.conflux.applier.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The applier's requeues that do not come from the spec: Flux's --requeue-dependency and its rate limiter. */
class RetryPolicyTest {

    @Test
    void anErrorWaitsTheMinimumThenTwiceAsLongAfterEachErrorInARowUpToTheMaximum() {
        RetryPolicy retry = Fixtures.RETRY; // 750ms, 15m: Flux's --min-retry-delay and --max-retry-delay
        assertThat(retry.afterError(0)).isEqualTo(Duration.ofMillis(750));
        assertThat(retry.afterError(1)).isEqualTo(Duration.ofMillis(1500));
        assertThat(retry.afterError(2)).isEqualTo(Duration.ofSeconds(3));
        assertThat(retry.afterError(10)).isEqualTo(Duration.ofMillis(750L << 10)); // 12m48s
        assertThat(retry.afterError(11)).isEqualTo(Duration.ofMinutes(15));
        assertThat(retry.afterError(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(15));
        assertThat(retry.afterError(-1)).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void aDurationThatIsNotPositiveOrAMaximumBelowTheMinimumIsRefusedNamingTheKey() {
        Duration second = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, second, second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conflux.applier.requeue-dependency");
        assertThatThrownBy(() -> new RetryPolicy(second, Duration.ofMillis(-1), second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conflux.applier.min-retry-delay");
        assertThatThrownBy(() -> new RetryPolicy(second, Duration.ofSeconds(2), second))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conflux.applier.max-retry-delay");
    }
}
