package io.conflux.renderer.render;

/**
 * What rendering one object produced: a bundle, or a failure with Flux's reason.
 *
 * @param bundle  the bundle, null on failure
 * @param reason  {@code BuildFailed} (the source content is wrong), {@code ArtifactFailed} (the revision could not
 *                be fetched) or {@code NotSupported}; null on success
 * @param message the failure message, naming file and line where there is one; null on success
 */
public record RenderOutcome(Bundle bundle, String reason, String message) {

    /** @return a success */
    public static RenderOutcome of(Bundle bundle) {
        return new RenderOutcome(bundle, null, null);
    }

    /** @return a failure */
    public static RenderOutcome failed(String reason, String message) {
        return new RenderOutcome(null, reason, message);
    }

    /** @return whether the same input would fail the same way (so it need not be retried) */
    public boolean deterministic() {
        return bundle != null || !"ArtifactFailed".equals(reason);
    }
}
