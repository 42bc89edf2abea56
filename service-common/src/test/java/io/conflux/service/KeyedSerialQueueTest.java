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
        KeyedSerialQueue queue = new KeyedSerialQueue();
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
}
