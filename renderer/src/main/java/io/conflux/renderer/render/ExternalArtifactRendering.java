package io.conflux.renderer.render;

import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.renderer.generate.ArtifactContent;
import io.conflux.renderer.persist.GeneratedArtifact;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The render of a Kustomization whose {@code sourceRef} is an {@link ExternalArtifact} (Flux 2.7's source-watcher flow,
 * kustomize-controller reading the ExternalArtifact's artifact): the artifact is the latest one stored of the
 * ExternalArtifact ({@link StoredSources}, kind {@code ExternalArtifact}: revision {@code latest@sha256:<hex>} and
 * sequence number), its files the {@link GeneratedArtifact} content of that revision; the build is the same as a
 * GitRepository's ({@link KustomizationRenderer}, bounded by {@code spec.timeout}). No artifact stored yet: the
 * Kustomization waits, as for a GitRepository. The content read at build time no longer being the planned revision (a
 * newer one was stored meanwhile) fails the build as retryable; the newer artifact's own render follows.
 */
final class ExternalArtifactRendering {
    private static final Logger LOG = Logger.getLogger(ExternalArtifactRendering.class);

    private final KustomizationRenderer renderer;
    private final BoundedBuild builds;
    private final Function<ObjectKey, Optional<GeneratedArtifact>> contents;
    private final BiFunction<String, String, Map<String, String>> secrets;
    private final BiFunction<String, String, Map<String, String>> configMaps;

    /**
     * @param renderer   builds a Kustomization from a source tree
     * @param builds     where builds run, bounded in number and time
     * @param contents   the stored content of an ExternalArtifact, by key (blocking: reads PostgreSQL)
     * @param secrets    decoded Secret data by namespace and name, null when absent (blocking)
     * @param configMaps ConfigMap data by namespace and name, null when absent (blocking)
     */
    ExternalArtifactRendering(KustomizationRenderer renderer, BoundedBuild builds,
                              Function<ObjectKey, Optional<GeneratedArtifact>> contents,
                              BiFunction<String, String, Map<String, String>> secrets,
                              BiFunction<String, String, Map<String, String>> configMaps) {
        this.renderer = renderer;
        this.builds = builds;
        this.contents = contents;
        this.secrets = secrets;
        this.configMaps = configMaps;
    }

    /** @return the ExternalArtifact {@code k}'s {@code sourceRef} names, or null when it names another kind */
    static ObjectKey sourceOf(Kustomization k) {
        var ref = k.getSpec() == null ? null : k.getSpec().sourceRef();
        if (ref == null || !ExternalArtifact.KIND.equals(ref.kind())) {
            return null;
        }
        return new ObjectKey(ExternalArtifact.KIND, ref.namespaceOr(k.getMetadata().getNamespace()), ref.name());
    }

    /**
     * @param k      a Kustomization whose {@link #sourceOf source} is an ExternalArtifact (not suspended, not refused)
     * @param stored the latest stored artifacts of the source's namespace
     * @return {@link RenderPlan.Wait} while no artifact is stored; otherwise the render of the stored one
     */
    RenderPlan plan(Kustomization k, StoredSources stored) {
        String key = FluxMetadata.key(k);
        Duration interval = GoDuration.parseOr(k.getSpec().interval(), FluxMetadata.DEFAULT_INTERVAL);
        ObjectKey source = sourceOf(k);
        Optional<GitSources.At> at = stored.at(source);
        if (at.isEmpty()) {
            return new RenderPlan.Wait(key + " waits for an artifact of " + source, source,
                    GoDuration.parseOr(k.getSpec().retryInterval(), interval));
        }
        String ns = k.getMetadata().getNamespace();
        PostBuild.VariableSource variables = (kind, name) -> "Secret".equals(kind) ? secrets.apply(ns, name)
                : configMaps.apply(ns, name);
        RenderInput input = new RenderInput(key, FluxMetadata.generation(k), at.get().revision(), at.get().sequence(),
                FluxMetadata.requestedAt(k), "", ClusterInputs.digest(k.getSpec(), variables));
        return new RenderPlan.Render(Optional.of(input), () -> {
            LOG.debugf("%s: rendering %s", key, input.revision());
            return new RenderPlan.Rendered(input, build(k, source, at.get(), variables));
        }, interval, GoDuration.parseOr(k.getSpec().retryInterval(), interval));
    }

    private RenderOutcome build(Kustomization k, ObjectKey source, GitSources.At at, PostBuild.VariableSource variables) {
        Optional<GeneratedArtifact> content;
        try {
            content = contents.apply(source);
        } catch (RuntimeException e) {
            return RenderOutcome.retryable(FluxReasons.ARTIFACT_FAILED, "cannot read the artifact of " + source + ": "
                    + e.getMessage());
        }
        if (content.isEmpty() || !at.revision().equals(content.get().revision)) {
            return RenderOutcome.retryable(FluxReasons.ARTIFACT_FAILED, "artifact " + at.revision() + " of " + source
                    + " is no longer stored");
        }
        byte[] bytes = content.get().content;
        Duration timeout = GoDuration.parseOr(k.getSpec().timeout(),
                GoDuration.parseOr(k.getSpec().interval(), FluxMetadata.DEFAULT_INTERVAL));
        return builds.within(FluxMetadata.key(k), timeout, () -> renderer.render(at.revision(),
                root -> ArtifactContent.unpack(bytes, root), k.getSpec(), variables));
    }
}
