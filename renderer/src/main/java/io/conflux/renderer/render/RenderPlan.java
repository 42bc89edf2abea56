package io.conflux.renderer.render;

import io.conflux.model.meta.ObjectKey;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What to do with one object now, decided inside its serialized job from the stored sources ({@link StoredSources}):
 * nothing yet ({@link Wait}), or a render ({@link Render}).
 */
sealed interface RenderPlan {

    /**
     * Nothing to render now (suspended, or no artifact of the source stored yet); the object is looked at again when its
     * spec or its source changes, and, while it waits for a source, after {@code conflux.renderer.requeue-dependency}
     * ({@link SourceWaiters}), as kustomize-controller requeues a Kustomization whose source has no artifact.
     *
     * @param why           for the log
     * @param source        the source whose artifact is waited for; null when suspended
     * @param retryInterval the object's {@code retryInterval} (else its interval): the longest wait between two looks
     *                      while it waits for {@code source}; null when suspended
     */
    record Wait(String why, ObjectKey source, Duration retryInterval) implements RenderPlan {

        /** @return a wait for nothing but a spec change (suspended) */
        static Wait suspended(String why) {
            return new Wait(why, null, null);
        }
    }

    /**
     * A render.
     *
     * @param known         the input when it is known before rendering (a Kustomization: checked against the render
     *                      records first, so that a settled input is not built again); empty when only the render tells
     *                      it (a HelmRelease's chart version and values digest)
     * @param work          the render, blocking: its input and outcome
     * @param interval      when to render again after a deterministic outcome (Flux's {@code spec.interval})
     * @param retryInterval when to render again after a retryable failure ({@code spec.retryInterval}, else interval)
     */
    record Render(Optional<RenderInput> known, Supplier<Rendered> work, Duration interval, Duration retryInterval)
            implements RenderPlan {

        /** @return the delay before the next render after {@code outcome} */
        Duration next(RenderOutcome outcome) {
            return outcome.deterministic() ? interval : retryInterval;
        }
    }

    /**
     * A render's input and outcome.
     *
     * @param input   what was rendered
     * @param outcome the bundle or the failure
     */
    record Rendered(RenderInput input, RenderOutcome outcome) {
    }
}
