package io.conflux.renderer.render;

import io.conflux.artifacts.ArtifactException;
import io.conflux.artifacts.Tarballs;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Bucket;
import io.conflux.model.source.OCIRepository;
import io.conflux.renderer.persist.SourceContent;
import java.time.Duration;
import java.util.Optional;

/**
 * The part of {@link KustomizationRendering} for a {@code sourceRef} of kind {@code OCIRepository} or {@code Bucket}
 * (wt-oci): the build reads the stored content of the source's latest artifact ({@code source_content}, the tar+gzip
 * {@link ArtifactFetcher} stored), extracts it into the in-memory root and builds as for a GitRepository — Flux's
 * generator, kustomize, SOPS, postBuild — bounded by {@code spec.timeout}. Content that is missing or of another
 * revision than the artifact read with it (a newer one stored meanwhile) is a retryable {@code ArtifactFailed}.
 */
final class ArtifactSourceRendering {
    /** Bound of an extracted artifact (the stored tarball was bounded when fetched; this bounds its expansion). */
    private static final long MAX_EXTRACTED = 1L << 30;

    private final KustomizationRenderer renderer;
    private final BoundedBuild builds;

    ArtifactSourceRendering(KustomizationRenderer renderer, BoundedBuild builds) {
        this.renderer = renderer;
        this.builds = builds;
    }

    /** @return whether {@code kind} is rendered here */
    static boolean handles(String kind) {
        return OCIRepository.KIND.equals(kind) || Bucket.KIND.equals(kind);
    }

    /** @return whether {@code source}'s kind is rendered here */
    static boolean handles(ObjectKey source) {
        return source != null && handles(source.kind());
    }

    /** Builds {@code k} from {@code source}'s stored content at {@code at}; blocking. */
    RenderOutcome build(Kustomization k, ObjectKey source, GitSources.At at, Optional<SourceContent> content,
                        PostBuild.VariableSource variables) {
        if (content.isEmpty() || !content.get().revision().equals(at.revision())) {
            return RenderOutcome.retryable(FluxReasons.ARTIFACT_FAILED, "the content of " + source.kind() + " "
                    + source.namespace() + "/" + source.name() + " at revision " + at.revision() + " is not stored");
        }
        byte[] tarball = content.get().content();
        String what = source.kind() + " " + source.namespace() + "/" + source.name() + " artifact " + at.revision();
        Duration timeout = GoDuration.parseOr(k.getSpec().timeout(),
                GoDuration.parseOr(k.getSpec().interval(), FluxMetadata.DEFAULT_INTERVAL));
        return builds.within(FluxMetadata.key(k), timeout, () -> renderer.render(at.revision(), root -> {
            try {
                Tarballs.extract(tarball, root, MAX_EXTRACTED, what);
            } catch (ArtifactException e) {
                throw new KustomizationRenderer.ArtifactUnavailable(e.getMessage());
            }
        }, k.getSpec(), variables));
    }
}
