package io.conflux.service;

import io.smallrye.mutiny.Uni;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Runs jobs one at a time per key and concurrently across keys, so that two renders of the same object never
 * race (their results must reach Kafka in order). A failed job does not stop later ones.
 */
public final class KeyedSerialQueue {
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();

    /**
     * @param key the object key
     * @param job the work, subscribed once the previous job of the key finished
     * @return a Uni completing when this job finished (failing with its failure)
     */
    public synchronized Uni<Void> submit(String key, Supplier<Uni<Void>> job) {
        CompletableFuture<Void> previous = tails.getOrDefault(key, CompletableFuture.completedFuture(null));
        CompletableFuture<Void> mine = previous.handle((v, e) -> null)
                .thenCompose(v -> job.get().subscribeAsCompletionStage());
        CompletableFuture<Void> tail = mine.handle((v, e) -> null);
        tails.put(key, tail);
        tail.thenRun(() -> {
            synchronized (this) {
                tails.remove(key, tail);
            }
        });
        return Uni.createFrom().completionStage(mine);
    }
}
