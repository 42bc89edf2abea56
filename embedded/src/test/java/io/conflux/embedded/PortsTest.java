package io.conflux.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link Ports#freePort}: no port handed out twice while it may still be unbound, also to parallel callers. */
class PortsTest {

    @Test
    void parallelCallersNeverGetTheSamePort() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = IntStream.range(0, 400).<Callable<Integer>>mapToObj(i -> Ports::freePort)
                .toList();
            List<Integer> ports = pool.invokeAll(calls).stream().map(PortsTest::value).toList();
            assertThat(ports).hasSize(400).doesNotHaveDuplicates().allMatch(p -> p > 0 && p < 65536);
        } finally {
            pool.shutdownNow();
        }
    }

    private static int value(Future<Integer> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
