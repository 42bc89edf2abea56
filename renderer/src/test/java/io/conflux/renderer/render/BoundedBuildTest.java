package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.meta.FluxReasons;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BoundedBuildTest {
    final ExecutorService workers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void aBuildWithinTheTimeoutGivesItsOutcome() {
        RenderOutcome done = RenderOutcome.of(Bundle.of("[]", 0));
        assertThat(BoundedBuild.within(Duration.ofSeconds(10), () -> done, workers)).isSameAs(done);
    }

    @Test
    void aBuildPastTheTimeoutFailsRetryablyAndIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        RenderOutcome outcome = BoundedBuild.within(Duration.ofSeconds(1), () -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return RenderOutcome.of(Bundle.of("[]", 0));
        }, workers);

        assertThat(outcome.bundle()).isNull();
        assertThat(outcome.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(outcome.message()).isEqualTo("build timed out after 1s");
        assertThat(outcome.deterministic()).as("retried at retryInterval").isFalse();
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aBuildThatThrowsIsABugNotAnOutcome() {
        assertThatThrownBy(() -> BoundedBuild.within(Duration.ofSeconds(10), () -> {
            throw new IllegalArgumentException("boom");
        }, workers)).isInstanceOf(IllegalStateException.class).hasMessageContaining("boom");
    }
}
