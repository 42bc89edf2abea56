package io.conflux.renderer.render;

import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** What the renderer reads of any Flux object's metadata, and the render that refuses one at once. */
final class FluxMetadata {
    /** Flux's default {@code spec.interval} when an object sets none. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    private FluxMetadata() {
    }

    /** @return {@code Kind/namespace/name} */
    static String key(HasMetadata o) {
        return objectKey(o).toString();
    }

    /** @return the object's key */
    static ObjectKey objectKey(HasMetadata o) {
        return new ObjectKey(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
    }

    /** @return {@code metadata.generation}, 0 when unset */
    static long generation(HasMetadata o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    /** @return the {@code reconcile.fluxcd.io/requestedAt} annotation, empty when absent */
    static String requestedAt(HasMetadata o) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        String v = annotations == null ? null : annotations.get(Kustomization.REQUESTED_AT_ANNOTATION);
        return v == null ? "" : v;
    }

    /**
     * @return a render of {@code o} that fails at once with {@code reason} and {@code message}, with no revision and no
     *         source sequence (deterministic: looked at again after {@code interval})
     */
    static RenderPlan refusal(HasMetadata o, String reason, String message, Duration interval) {
        RenderInput input = new RenderInput(key(o), generation(o), "", null, requestedAt(o), "", "");
        RenderOutcome failed = RenderOutcome.failed(reason, message);
        return new RenderPlan.Render(Optional.of(input), () -> new RenderPlan.Rendered(input, failed), interval, interval);
    }
}
