package io.conflux.renderer.render;

import io.conflux.git.SourceTree;
import io.conflux.helm.Capabilities;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.KubeConfigReference;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.Revision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Plans and runs the render of one HelmRelease, as helm-controller's reconcile does up to the Helm action: the chart
 * from its HelmRepository (index and chart download) or from the latest stored artifact of its GitRepository, values
 * merged with {@code valuesFrom} ({@link HelmReleaseRenderer}); or from {@code spec.chartRef}: the stored chart
 * artifact of an OCIRepository, or the chart of a Ready HelmChart. The input is known only after rendering: the chart
 * version and the values digest (helm-controller upgrades when either changes).
 */
public final class HelmReleaseRendering {
    /** helm-controller's reason when the Helm configuration for the target cluster cannot be built. */
    static final String INIT_FAILED = "InitFailed";
    private static final ObjectMapper SPEC_JSON = new ObjectMapper();
    private final HelmReleaseRenderer renderer;
    private final SourceTree sourceTree;
    private final CrossNamespaceRefs crossNamespaceRefs;
    private final Function<ObjectKey, Optional<GitRepository>> repositories;
    private final BiFunction<String, String, Optional<HelmRepository>> helmRepositories;
    private final BiFunction<String, String, Map<String, String>> secrets;
    private final BiFunction<String, String, Map<String, String>> configMaps;
    private final Function<ObjectKey, Optional<HelmChart>> helmCharts;
    private final TargetCapabilities targets;

    /**
     * @param renderer           renders charts
     * @param sourceTree         writes a GitRepository's revision (with its includes) into a directory
     * @param crossNamespaceRefs whether a source in another namespace may be rendered
     * @param repositories       the GitRepositories by key (the informer cache)
     * @param helmRepositories   the HelmRepositories by namespace and name (the informer cache)
     * @param secrets            decoded Secret data by namespace and name, null when absent (blocking)
     * @param configMaps         ConfigMap data by namespace and name, null when absent (blocking)
     * @param helmCharts         the HelmCharts by key (the informer cache), for a {@code chartRef} to one
     * @param targets            the {@code .Capabilities} of the cluster a HelmRelease is installed on (the
     *                           management cluster, or its {@code spec.kubeConfig}'s)
     */
    HelmReleaseRendering(HelmReleaseRenderer renderer, SourceTree sourceTree, CrossNamespaceRefs crossNamespaceRefs,
                         Function<ObjectKey, Optional<GitRepository>> repositories,
                         BiFunction<String, String, Optional<HelmRepository>> helmRepositories,
                         BiFunction<String, String, Map<String, String>> secrets,
                         BiFunction<String, String, Map<String, String>> configMaps,
                         Function<ObjectKey, Optional<HelmChart>> helmCharts, TargetCapabilities targets) {
        this.renderer = renderer;
        this.targets = targets;
        this.helmCharts = helmCharts;
        this.sourceTree = sourceTree;
        this.crossNamespaceRefs = crossNamespaceRefs;
        this.repositories = repositories;
        this.helmRepositories = helmRepositories;
        this.secrets = secrets;
        this.configMaps = configMaps;
    }

    /**
     * Decides what to do with {@code hr} given the stored sources.
     *
     * @param stored the latest stored artifacts of the namespace of the GitRepository holding its chart, or of its
     *               {@code chartRef}'s namespace with the OCIRepository's content (none when the chart comes from a
     *               HelmRepository)
     * @return {@link RenderPlan.Wait} when suspended, or when its chart's GitRepository has no stored artifact yet;
     *         otherwise the render (its input known once rendered: chart version, values digest, and the GitRepository
     *         artifact's sequence number when the chart comes from one)
     */
    RenderPlan plan(HelmRelease hr, StoredSources stored) {
        String key = FluxMetadata.key(hr);
        Duration interval = GoDuration.parseOr(hr.getSpec().interval(), FluxMetadata.DEFAULT_INTERVAL);
        if (Boolean.TRUE.equals(hr.getSpec().suspend())) {
            return RenderPlan.Wait.suspended(key + " is suspended");
        }
        Optional<String> denied = crossNamespaceRefs.refused(hr);
        if (denied.isPresent()) {
            return FluxMetadata.refusal(hr, CrossNamespaceRefs.ACCESS_DENIED, denied.get(), interval);
        }
        ObjectKey gitSource = HelmReleaseRenderer.gitRepositoryOf(hr);
        Optional<GitSources.At> at = gitSource == null ? Optional.empty() : stored.at(gitSource);
        if (gitSource != null && at.isEmpty()) {
            return new RenderPlan.Wait(key + " waits for an artifact of " + gitSource, gitSource, interval);
        }
        ObjectKey chartRef = HelmReleaseRenderer.chartRefOf(hr);
        if (at.isEmpty() && chartRef != null) {
            at = stored.at(chartRef);
        }
        Long sequence = at.map(GitSources.At::sequence).orElse(null);
        GitSources sources = new GitSources(repositories, stored::at, secrets);
        HelmReleaseRenderer.ChartSources charts = new HelmReleaseRenderer.ChartSources(helmRepositories,
                (source, root) -> checkout(sources, stored, source, root),
                source -> stored.content(source).map(c -> new HelmReleaseRenderer.OciArtifact(c.revision(), c.content())),
                helmCharts);
        return new RenderPlan.Render(Optional.empty(), () -> {
            HelmReleaseRenderer.Rendered rendered;
            try {
                Capabilities capabilities = targets.of(hr.getMetadata().getNamespace(),
                        hr.getSpec().kubeConfig() == null ? null
                                : SPEC_JSON.convertValue(hr.getSpec().kubeConfig(), KubeConfigReference.class),
                        hr.getSpec().serviceAccountName());
                rendered = renderer.render(hr, charts, secrets, configMaps, capabilities);
            } catch (IllegalStateException kubeconfig) {
                // the target cluster's kubeconfig Secret is missing or refused: helm-controller's InitFailed, retried
                rendered = new HelmReleaseRenderer.Rendered(RenderOutcome.retryable(INIT_FAILED,
                        "could not read the target cluster's capabilities: " + kubeconfig.getMessage()), null, null);
            }
            RenderInput input = new RenderInput(key, FluxMetadata.generation(hr),
                    rendered.revision() == null ? "" : rendered.revision(), sequence, FluxMetadata.requestedAt(hr), "",
                    rendered.configDigest() == null ? "" : rendered.configDigest());
            return new RenderPlan.Rendered(input, rendered.outcome());
        }, interval, interval);
    }

    /**
     * Writes the latest stored revision of a GitRepository under {@code root}, as Kustomizations of it read it: its
     * credentials, timeout, includes and ignore rules ({@link GitSources}, {@link SourceTree}); blocking.
     *
     * @return the revision written, empty when none is stored
     */
    private Optional<Revision> checkout(GitSources sources, StoredSources stored, ObjectKey source, Path root) {
        Optional<GitSources.At> at = stored.at(source);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        Revision revision = Revision.parse(at.get().revision());
        sourceTree.write(sources.resolve(source, at.get().url(), revision), root);
        return Optional.of(revision);
    }
}
