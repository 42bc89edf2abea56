package io.conflux.renderer.render;

import io.conflux.model.meta.ObjectKey;

/**
 * What rendering one object produced: a bundle, or a failure with Flux's reason.
 *
 * @param bundle        the bundle, null on failure
 * @param reason        {@code BuildFailed} (the source content is wrong), {@code ArtifactFailed} (the revision could
 *                      not be fetched), {@code SourceNotReady} or {@code NotSupported}; null on success
 * @param message       the failure message, naming file and line where there is one; null on success
 * @param retry         whether the same input may give another outcome later (fetch failures, missing cluster data)
 * @param awaitedSource the source the render found missing or without an artifact (a HelmRepository, GitRepository,
 *                      OCIRepository or HelmChart), whose appearance is waited for ({@link SourceWaiters}: retried
 *                      after {@code conflux.renderer.requeue-dependency}, and when the source's event comes); null
 *                      for every other outcome
 */
public record RenderOutcome(Bundle bundle, String reason, String message, boolean retry, ObjectKey awaitedSource) {

    /** A render outcome that waits on no source. */
    public RenderOutcome(Bundle bundle, String reason, String message, boolean retry) {
        this(bundle, reason, message, retry, null);
    }

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

    /**
     * @return a retried failure because {@code source} does not exist or has no artifact yet, as helm-controller and
     *         kustomize-controller requeue such a reconcile after {@code --requeue-dependency} rather than its interval
     */
    public static RenderOutcome awaiting(String reason, String message, ObjectKey source) {
        return new RenderOutcome(null, reason, message, true, source);
    }

    /** @return whether the same input would fail the same way (so it need not be retried) */
    public boolean deterministic() {
        return !retry;
    }
}
