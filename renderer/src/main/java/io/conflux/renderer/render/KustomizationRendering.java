package io.conflux.renderer.render;

import io.conflux.git.GitException;
import io.conflux.git.GitSource;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.Revision;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Plans and runs the render of one Kustomization, as kustomize-controller's reconcile does between reading the source
 * artifact and applying: the artifact is the latest one stored of its {@code sourceRef} GitRepository (with its
 * {@code spec.include}s at theirs, {@link GitSources}), the build is Flux's kustomization generator and kustomize build
 * ({@link KustomizationRenderer}) bounded by {@code spec.timeout} ({@link BoundedBuild}), with {@code postBuild}
 * variables from the Kustomization's namespace. Refusals that need no build (a sourceRef kind other than
 * GitRepository, a cross-namespace reference under {@code --no-cross-namespace-refs}) are renders that fail at once.
 */
public final class KustomizationRendering {
    private static final Logger LOG = Logger.getLogger(KustomizationRendering.class);

    private final KustomizationRenderer renderer;
    private final BoundedBuild builds;
    private final CrossNamespaceRefs crossNamespaceRefs;
    private final Function<ObjectKey, Optional<GitRepository>> repositories;
    private final BiFunction<String, String, Map<String, String>> secrets;
    private final BiFunction<String, String, Map<String, String>> configMaps;
    private final ArtifactSourceRendering artifacts;
    private final ExternalArtifactRendering externalArtifacts;

    /**
     * @param renderer           builds a Kustomization from a source tree
     * @param builds             where builds run, bounded in number and time
     * @param crossNamespaceRefs whether a source in another namespace may be rendered
     * @param repositories       the GitRepositories by key (the informer cache)
     * @param secrets            decoded Secret data by namespace and name, null when absent (blocking)
     * @param configMaps         ConfigMap data by namespace and name, null when absent (blocking)
     * @param externalArtifacts  plans the renders whose {@code sourceRef} is an ExternalArtifact
     */
    KustomizationRendering(KustomizationRenderer renderer, BoundedBuild builds, CrossNamespaceRefs crossNamespaceRefs,
                           Function<ObjectKey, Optional<GitRepository>> repositories,
                           BiFunction<String, String, Map<String, String>> secrets,
                           BiFunction<String, String, Map<String, String>> configMaps,
                           ExternalArtifactRendering externalArtifacts) {
        this.renderer = renderer;
        this.builds = builds;
        this.crossNamespaceRefs = crossNamespaceRefs;
        this.repositories = repositories;
        this.secrets = secrets;
        this.configMaps = configMaps;
        this.artifacts = new ArtifactSourceRendering(renderer, builds);
        this.externalArtifacts = externalArtifacts;
    }

    /**
     * Decides what to do with {@code k} given the stored sources; blocking (the input digest reads the
     * {@code postBuild.substituteFrom} ConfigMaps and Secrets).
     *
     * @param stored the latest stored artifacts of the source's namespace
     * @return {@link RenderPlan.Wait} when suspended or no artifact of its source is stored; otherwise the render, whose
     *         input names the source's stored revision and sequence number
     */
    RenderPlan plan(Kustomization k, StoredSources stored) {
        String key = FluxMetadata.key(k);
        Duration interval = GoDuration.parseOr(k.getSpec().interval(), FluxMetadata.DEFAULT_INTERVAL);
        if (k.getSpec().suspended()) {
            return RenderPlan.Wait.suspended(key + " is suspended");
        }
        ObjectKey source = sourceOf(k);
        if (source == null && ExternalArtifactRendering.sourceOf(k) != null) {
            return planExternalArtifact(k, stored, interval);
        }
        if (source == null) {
            return FluxMetadata.refusal(k, FluxReasons.ARTIFACT_FAILED, "source kind '" + k.getSpec().sourceRef().kind()
                    + "' is not supported; use GitRepository, OCIRepository, Bucket or ExternalArtifact", interval);
        }
        Optional<String> denied = crossNamespaceRefs.refused(k);
        if (denied.isPresent()) {
            return FluxMetadata.refusal(k, CrossNamespaceRefs.ACCESS_DENIED, denied.get(), interval);
        }
        Optional<GitSources.At> at = stored.at(source);
        if (at.isEmpty()) {
            return new RenderPlan.Wait(key + " waits for an artifact of " + source, source,
                    GoDuration.parseOr(k.getSpec().retryInterval(), interval));
        }
        GitSources sources = new GitSources(repositories, stored::at, secrets);
        String ns = k.getMetadata().getNamespace();
        PostBuild.VariableSource variables = (kind, name) -> "Secret".equals(kind) ? secrets.apply(ns, name)
                : configMaps.apply(ns, name);
        RenderInput input = new RenderInput(key, FluxMetadata.generation(k), at.get().revision(), at.get().sequence(),
                FluxMetadata.requestedAt(k), sources.includedRevisions(source), ClusterInputs.digest(k.getSpec(), variables));
        return new RenderPlan.Render(Optional.of(input), () -> {
            LOG.debugf("%s: rendering %s", key, input.revision());
            return new RenderPlan.Rendered(input, ArtifactSourceRendering.handles(source)
                    ? artifacts.build(k, source, at.get(), stored.content(source), variables)
                    : build(k, sources, source, at.get(), variables));
        }, interval, GoDuration.parseOr(k.getSpec().retryInterval(), interval));
    }

    /** A Kustomization of an ExternalArtifact (#13): refused across namespaces when locked down, else its plan. */
    private RenderPlan planExternalArtifact(Kustomization k, StoredSources stored, Duration interval) {
        Optional<String> denied = crossNamespaceRefs.refused(k);
        if (denied.isPresent()) {
            return FluxMetadata.refusal(k, CrossNamespaceRefs.ACCESS_DENIED, denied.get(), interval);
        }
        return externalArtifacts.plan(k, stored);
    }

    /** Builds {@code k} at {@code at} with everything its source includes, bounded by {@code spec.timeout}; blocking. */
    private RenderOutcome build(Kustomization k, GitSources sources, ObjectKey source, GitSources.At at,
                                PostBuild.VariableSource variables) {
        GitSource gitSource;
        try {
            gitSource = sources.resolve(source, at.url(), Revision.parse(at.revision()));
        } catch (GitException | IllegalArgumentException e) {
            return RenderOutcome.failed(FluxReasons.ARTIFACT_FAILED, e.getMessage());
        }
        Duration timeout = GoDuration.parseOr(k.getSpec().timeout(),
                GoDuration.parseOr(k.getSpec().interval(), FluxMetadata.DEFAULT_INTERVAL));
        return builds.within(FluxMetadata.key(k), timeout, () -> renderer.render(gitSource, k.getSpec(), variables));
    }

    /**
     * @return the source {@code k}'s {@code sourceRef} names — a GitRepository, or an OCIRepository or Bucket
     *         ({@link ArtifactSourceRendering}) — or null when it names another kind
     */
    static ObjectKey sourceOf(Kustomization k) {
        var ref = k.getSpec().sourceRef();
        if (ref == null || !GitRepository.KIND.equals(ref.kind()) && !ArtifactSourceRendering.handles(ref.kind())) {
            return null;
        }
        return new ObjectKey(ref.kind(), ref.namespaceOr(k.getMetadata().getNamespace()), ref.name());
    }
}
