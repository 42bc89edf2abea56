package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A scheduled run is scheduled again whatever its outcome; cancel and replace stop the old chain. */
class RequeueTest {
    private static final Duration SOON = Duration.ofMillis(1);

    /** Runs {@code outcome} on each call and counts; the latch opens after {@code runs} runs. */
    private record Counting(AtomicInteger count, CountDownLatch latch, Supplier<Uni<Duration>> run) {
        static Counting of(int runs, Supplier<Uni<Duration>> outcome) {
            AtomicInteger count = new AtomicInteger();
            CountDownLatch latch = new CountDownLatch(runs);
            return new Counting(count, latch, () -> {
                count.incrementAndGet();
                latch.countDown();
                return outcome.get();
            });
        }
    }

    @Test
    void aFailedRunIsScheduledAgainAfterTheFailureDelay() throws Exception {
        try (Requeue requeue = new Requeue()) {
            Counting c = Counting.of(3, () -> Uni.createFrom().failure(new IllegalStateException("boom")));
            requeue.schedule("k", SOON, c.run(), SOON);
            assertThat(c.latch().await(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aRunThatThrowsIsScheduledAgain() throws Exception {
        try (Requeue requeue = new Requeue()) {
            Counting c = Counting.of(3, () -> {
                throw new IllegalStateException("thrown, not a failed Uni");
            });
            requeue.schedule("k", SOON, c.run(), SOON);
            assertThat(c.latch().await(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aSuccessfulRunIsScheduledAfterTheDurationItReturns() throws Exception {
        try (Requeue requeue = new Requeue()) {
            Counting c = Counting.of(3, () -> Uni.createFrom().item(SOON));
            requeue.schedule("k", SOON, c.run(), Duration.ofDays(1));
            assertThat(c.latch().await(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aRunReturningNullIsNotScheduledAgain() throws Exception {
        try (Requeue requeue = new Requeue()) {
            Counting once = Counting.of(1, () -> Uni.createFrom().nullItem());
            requeue.schedule("k", SOON, once.run(), SOON);
            assertThat(once.latch().await(30, TimeUnit.SECONDS)).isTrue();
            // a marker scheduled after it on the same single timer thread runs after any re-run would have been armed
            CountDownLatch marker = new CountDownLatch(1);
            requeue.schedule("marker", Duration.ofMillis(50), () -> {
                marker.countDown();
                return Uni.createFrom().nullItem();
            }, SOON);
            assertThat(marker.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(requeue.next("k")).isEmpty();
            assertThat(once.count().get()).isEqualTo(1);
        }
    }

    @Test
    void scheduleReplacesAndCancelStops() {
        try (Requeue requeue = new Requeue()) {
            AtomicInteger first = new AtomicInteger();
            requeue.schedule("k", Duration.ofHours(1), () -> {
                first.incrementAndGet();
                return Uni.createFrom().nullItem();
            }, SOON);
            requeue.schedule("k", Duration.ofHours(2), () -> Uni.createFrom().nullItem(), SOON);
            assertThat(requeue.next("k")).hasValueSatisfying(due ->
                    assertThat(due).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(90))));
            requeue.schedule("other", Duration.ofHours(1), () -> Uni.createFrom().nullItem(), SOON);
            requeue.cancelIf(key -> key.equals("k"));
            assertThat(requeue.next("k")).isEmpty();
            assertThat(requeue.next("other")).isPresent();
            requeue.cancel("other");
            assertThat(requeue.next("other")).isEmpty();
            assertThat(first.get()).isZero();
        }
    }
}
