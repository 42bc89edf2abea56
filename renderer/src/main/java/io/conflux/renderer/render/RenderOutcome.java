package io.conflux.renderer.render;

/**
 * What rendering one object produced: a bundle, or a failure with Flux's reason.
 *
 * @param bundle  the bundle, null on failure
 * @param reason  {@code BuildFailed} (the source content is wrong), {@code ArtifactFailed} (the revision could not
 *                be fetched) or {@code NotSupported}; null on success
 * @param message the failure message, naming file and line where there is one; null on success
 * @param retry   whether the same input may give another outcome later (fetch failures, missing cluster data)
 */
public record RenderOutcome(Bundle bundle, String reason, String message, boolean retry) {

    /** @return a success */
    public static RenderOutcome of(Bundle bundle) {
        return new RenderOutcome(bundle, null, null, false);
    }

    /** @return a failure; {@code ArtifactFailed} ones (fetches) are retried, others are final for the input */
    public static RenderOutcome failed(String reason, String message) {
        return new RenderOutcome(null, reason, message, "ArtifactFailed".equals(reason));
    }

    /** @return a failure that depends on cluster state and is retried */
    public static RenderOutcome retryable(String reason, String message) {
        return new RenderOutcome(null, reason, message, true);
    }

    /** @return whether the same input would fail the same way (so it need not be retried) */
    public boolean deterministic() {
        return !retry;
    }
}
