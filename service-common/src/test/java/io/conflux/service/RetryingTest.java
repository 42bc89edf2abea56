package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Transient failures are retried while owned; poison passes through; a lost key ends without a failure. */
class RetryingTest {
    private final Retrying retrying = new Retrying(Duration.ofMillis(1), Duration.ofMillis(5));

    @Test
    void transientFailuresAreRetriedUntilTheWorkSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        String result = retrying.untilDone(() -> attempts.incrementAndGet() < 4
                ? Uni.createFrom().failure(new QueueFullException("k", 1))
                : Uni.createFrom().item("done"), () -> true).await().atMost(Duration.ofSeconds(30));
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(4);
    }

    @Test
    void poisonFailsAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retrying.untilDone(() -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("not JSON");
        }, () -> true).await().atMost(Duration.ofSeconds(30))).isInstanceOf(IllegalArgumentException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aKeyNoLongerOwnedEndsWithoutAFailure() {
        AtomicBoolean owned = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        Object result = retrying.untilDone(() -> {
            if (attempts.incrementAndGet() == 3) {
                owned.set(false);
            }
            return Uni.createFrom().failure(new java.util.concurrent.TimeoutException("slow"));
        }, owned::get).await().atMost(Duration.ofSeconds(30));
        assertThat(result).isNull();
        assertThat(attempts).hasValue(3);
    }
}
