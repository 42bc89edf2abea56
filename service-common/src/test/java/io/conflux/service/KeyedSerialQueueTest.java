package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class KeyedSerialQueueTest {

    @Test
    void jobsOfOneKeyRunInOrderEvenWhenTheFirstFails() {
        KeyedSerialQueue queue = new KeyedSerialQueue(Duration.ofMinutes(1), 10);
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        Uni<Void> first = queue.submit("a", () -> Uni.createFrom().completionStage(gate)
                .invoke(() -> log.add("a1")).chain(() -> Uni.createFrom().failure(new IllegalStateException("boom"))));
        Uni<Void> second = queue.submit("a", () -> Uni.createFrom().voidItem().invoke(() -> log.add("a2")));
        Uni<Void> other = queue.submit("b", () -> Uni.createFrom().voidItem().invoke(() -> log.add("b1")));
        other.await().atMost(Duration.ofSeconds(5));
        assertThat(log).containsExactly("b1");
        gate.complete(null);
        second.await().atMost(Duration.ofSeconds(5));
        assertThat(log).containsExactly("b1", "a1", "a2");
        assertThat(first.onFailure().recoverWithItem(() -> null).await().atMost(Duration.ofSeconds(5))).isNull();
    }

    @Test
    void aJobThatNeverCompletesFailsWithATimeoutAndFreesItsKey() {
        KeyedSerialQueue queue = new KeyedSerialQueue(Duration.ofMillis(100), 10);
        Uni<Void> stuck = queue.submit("a", () -> Uni.createFrom().nothing());
        Uni<Void> next = queue.submit("a", () -> Uni.createFrom().voidItem());
        Throwable failure = stuck.map(v -> (Throwable) null).onFailure().recoverWithItem(e -> e)
                .await().atMost(Duration.ofSeconds(30));
        assertThat(failure).isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(Transient.is(failure)).isTrue();
        assertThat(next.await().atMost(Duration.ofSeconds(30))).isNull();
    }

    @Test
    void aSubmitBeyondTheBoundFailsAtOnceAndTheBoundFreesUpAsJobsStart() {
        KeyedSerialQueue queue = new KeyedSerialQueue(null, 2);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<String> log = new CopyOnWriteArrayList<>();
        Uni<Void> running = queue.submit("a", () -> Uni.createFrom().completionStage(gate));
        Uni<Void> w1 = queue.submit("a", () -> Uni.createFrom().voidItem().invoke(() -> log.add("w1")));
        Uni<Void> w2 = queue.submit("a", () -> Uni.createFrom().voidItem().invoke(() -> log.add("w2")));
        Uni<Void> refused = queue.submit("a", () -> Uni.createFrom().voidItem().invoke(() -> log.add("refused")));
        assertThat(refused.onFailure().recoverWithItem(e -> {
            assertThat(e).isInstanceOf(QueueFullException.class).hasMessageContaining("a");
            assertThat(Transient.is(e)).isTrue();
            return null;
        }).await().atMost(Duration.ofSeconds(5))).isNull();
        assertThat(queue.submit("b", () -> Uni.createFrom().voidItem()).await().atMost(Duration.ofSeconds(5))).isNull();
        gate.complete(null);
        running.await().atMost(Duration.ofSeconds(5));
        w1.await().atMost(Duration.ofSeconds(5));
        w2.await().atMost(Duration.ofSeconds(5));
        assertThat(log).containsExactly("w1", "w2");
        assertThat(queue.submit("a", () -> Uni.createFrom().voidItem().invoke(() -> log.add("later")))
                .await().atMost(Duration.ofSeconds(5))).isNull();
        assertThat(log).containsExactly("w1", "w2", "later");
    }
}
