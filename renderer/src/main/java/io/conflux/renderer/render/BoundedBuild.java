package io.conflux.renderer.render;

import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds one build of a Kustomization by its {@code spec.timeout}, as Flux's documentation has it ("a timeout
 * duration for any operation like building, applying, health checking"): a build still running when the timeout
 * passes fails the render with {@code BuildFailed} ({@code build timed out after <timeout>}), to be retried at
 * {@code retryInterval}; nothing is applied or pruned for it. The build thread is interrupted; the in-process kustomize
 * engine does not look at interruption, so it runs to its end in the background and its result is dropped.
 */
final class BoundedBuild {
    private BoundedBuild() {
    }

    /**
     * @param timeout the bound ({@code spec.timeout}, defaulting to {@code spec.interval} as in Flux)
     * @param build   the build, returning its outcome
     * @param workers where the build runs (not the calling thread, which waits)
     * @return the build's outcome, or a retryable {@code BuildFailed} when it took longer than {@code timeout}
     * @throws IllegalStateException when the build itself threw (a bug: builds report failures as outcomes)
     */
    static RenderOutcome within(Duration timeout, Callable<RenderOutcome> build, ExecutorService workers) {
        Future<RenderOutcome> running = workers.submit(build);
        try {
            return running.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "build timed out after " + GoDuration.format(timeout));
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, "build interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("build failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
