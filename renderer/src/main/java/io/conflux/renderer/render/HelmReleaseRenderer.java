package io.conflux.renderer.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.git.GitException;
import io.conflux.helm.Capabilities;
import io.conflux.helm.ChartDirectory;
import io.conflux.helm.ChartRenderer;
import io.conflux.helm.ChartRepository;
import io.conflux.helm.ChartValuesFiles;
import io.conflux.helm.Credentials;
import io.conflux.helm.HelmException;
import io.conflux.helm.HelmValues;
import io.conflux.helm.HelmValues.ValuesReference;
import io.conflux.helm.ReleaseNames;
import io.conflux.helm.RepositoryTransport;
import io.conflux.helm.ResolvedChart;
import io.conflux.kustomize.KustomizeException;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.helm.HelmReleaseSpec;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmChartSpec;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.Revision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * Renders a Flux {@code HelmRelease} as helm-controller would install it. The chart comes from
 * {@code spec.chart.spec.sourceRef}:
 * <ul>
 *   <li>a {@code HelmRepository} (HTTP index or OCI): the newest chart version matching {@code chart.spec.version};
 *       the revision is that version;</li>
 *   <li>a {@code GitRepository}: the chart directory {@code chart.spec.chart} (e.g. {@code ./charts/podinfo}) in the
 *       GitRepository's current revision, read the way Kustomizations read it ({@link GitSource}); its version is
 *       {@code Chart.yaml}'s ({@code chart.spec.version} is ignored, as source-controller does), and with
 *       {@code chart.spec.reconcileStrategy: Revision} it carries the commit as build metadata
 *       ({@code 6.14.1+4e5cbb7b97d0}, see {@link ChartDirectory}) so every new commit is a new revision.</li>
 * </ul>
 * Or from {@code spec.chartRef} (helm-controller v2, {@code ChartReference}; exactly one of {@code chart} and
 * {@code chartRef}, else {@code InvalidChartReference} with the CEL rule's message):
 * <ul>
 *   <li>an {@code OCIRepository}: its latest stored artifact is the packaged chart (the layer of media type
 *       {@code application/vnd.cncf.helm.chart.content.v1.tar+gzip}, selected with {@code layerSelector} and
 *       {@code operation: copy} as Flux documents it); as helm-controller's {@code mutateChartWithSourceRevision}, the
 *       chart version gets the first 12 hex characters of the artifact digest as build metadata
 *       ({@code 6.5.0+a1b2c3d4e5f6}), a {@code <tag>@<digest>} revision whose semver tag differs from the chart's
 *       version fails, and the digest is kept as the release's {@code ociDigest};</li>
 *   <li>a {@code HelmChart}: the chart it names, once it is {@code Ready} with an artifact, pulled or packaged from
 *       its own source as it pulls it ({@link HelmCharts}: chart, version, valuesFiles, reconcileStrategy).</li>
 * </ul>
 * A source that has no artifact yet is {@code Ready=False SourceNotReady}, one that is not found {@code ArtifactFailed};
 * both are tried again after {@code conflux.renderer.requeue-dependency} and on the source's event
 * ({@link RenderOutcome#awaiting}, {@link SourceWaiters}), as helm-controller requeues after its
 * {@code --requeue-dependency}. A HelmRepository is
 * reached as source-controller reaches it ({@link RepositoryTransport}): {@code certSecretRef} ({@code ca.crt},
 * {@code tls.crt}/{@code tls.key}), {@code insecure} (plain HTTP to an OCI registry), {@code passCredentials}
 * (credentials also to chart URLs on other hosts). Charts see the {@code .Capabilities} they are rendered with. A {@code Bucket} source
 * and an {@code ExternalArtifact} chartRef are refused with {@code NotSupported}. {@code chart.spec.valuesFiles} (with {@code ignoreMissingValuesFiles}) replace the chart's
 * default values as source-controller builds such a chart ({@link ChartValuesFiles}): files inside the chart for a
 * HelmRepository, paths from the repository root for a GitRepository; as in Flux, an edited values file in Git reaches
 * the release with a new chart version or under {@code reconcileStrategy: Revision}. Values are merged from
 * {@code valuesFrom} in order then {@code values} on top of those defaults; the release name is
 * {@code [<targetNamespace>-]<name>} unless {@code releaseName} is set; {@code spec.postRenderers} are applied to the
 * release manifest ({@link HelmPostRenderer}); the bundle is a {@link ReleaseBundle}: the objects, the chart's hooks
 * (kept apart, for the applier to run) and what Helm's release record needs (chart metadata and default values, the
 * user values); objects and hooks without a namespace get the release
 * namespace ({@code targetNamespace} or the HelmRelease's; the applier drops it again for cluster-scoped kinds).
 * Blocking; call from a worker thread.
 */
public final class HelmReleaseRenderer {
    /** {@code chart.spec.reconcileStrategy} value making every source revision a new chart revision. */
    public static final String RECONCILE_STRATEGY_REVISION = "Revision";
    private static final String HELM_REPOSITORY = "HelmRepository";
    /** helm-controller's reason for a chart reference it cannot use (both or neither of chart and chartRef). */
    public static final String INVALID_CHART_REFERENCE = "InvalidChartReference";
    /** helm-controller's reason while the chart's source has no artifact. */
    public static final String SOURCE_NOT_READY = "SourceNotReady";
    /** The message of helm-controller's CEL rule on {@code spec} (chart XOR chartRef). */
    static final String CHART_XOR_CHART_REF = "either chart or chartRef must be set";
    private static final String OCI_REPOSITORY = "OCIRepository";
    private static final String HELM_CHART = "HelmChart";

    private final Path chartCache;
    private final Duration defaultTimeout;
    private final ChartRenderer helm;
    private final ObjectMapper json;
    private final HelmPostRenderer postRenderer;
    /** The capabilities of the render running on this thread (one render per call, on the caller's thread). */
    private final ThreadLocal<Capabilities> capabilities = ThreadLocal.withInitial(() -> Capabilities.DEFAULT);

    /**
     * @param chartCache     directory of downloaded charts (by HelmRepository, then digest); Git charts are copied under
     *                       it while they render
     * @param defaultTimeout bound of index and chart downloads when the HelmRepository sets no {@code timeout}
     * @param json           serializer of the bundle
     */
    public HelmReleaseRenderer(Path chartCache, Duration defaultTimeout, ObjectMapper json) {
        this(chartCache, defaultTimeout, json, 0);
    }

    /**
     * As {@link #HelmReleaseRenderer(Path, Duration, ObjectMapper)}, keeping up to {@code preparedCharts} packaged
     * charts unpacked and prepared between renders ({@code conflux.renderer.helm-prepared-charts}; see
     * {@link ChartRenderer#ChartRenderer(String, boolean, int)}).
     *
     * @param preparedCharts how many prepared archives are kept, 0 for none
     * @throws IllegalArgumentException when {@code preparedCharts} is negative
     */
    public HelmReleaseRenderer(Path chartCache, Duration defaultTimeout, ObjectMapper json, int preparedCharts) {
        this.helm = new ChartRenderer(ChartRenderer.DEFAULT_KUBE_VERSION, true, preparedCharts);
        this.chartCache = chartCache;
        this.defaultTimeout = defaultTimeout;
        this.json = json;
        this.postRenderer = new HelmPostRenderer(json);
    }

    /**
     * The outcome and the chart version it rendered (Flux's HelmRelease revision).
     *
     * @param outcome      the bundle or the failure
     * @param revision     the chart version (with build metadata under {@code reconcileStrategy: Revision}), null when
     *                     it could not be resolved
     * @param configDigest {@code sha256:<hex>} of the merged values (helm-controller's config digest: the release is
     *                     upgraded when it changes), null when the values were not resolved
     */
    public record Rendered(RenderOutcome outcome, String revision, String configDigest) {
    }

    /**
     * The latest stored artifact of an {@code OCIRepository}.
     *
     * @param revision the artifact revision, {@code <tag>@sha256:<hex>} or {@code sha256:<hex>}
     * @param content  the stored bytes: the chart archive ({@code .tgz}) under {@code operation: copy}
     */
    public record OciArtifact(String revision, byte[] content) {
    }

    /** Reads a GitRepository's current revision, as the Kustomizations of that GitRepository see it. */
    @FunctionalInterface
    public interface GitSource {
        /**
         * @param gitRepository the GitRepository ({@code GitRepository/<namespace>/<name>})
         * @param root          an empty directory, on any file system, to write the revision's tree into
         * @return the revision written, or empty when no revision of the GitRepository is known yet
         * @throws GitException when the revision cannot be fetched or read
         */
        Optional<Revision> checkout(ObjectKey gitRepository, Path root);
    }

    /**
     * Where charts come from.
     *
     * @param helmRepositories finds a HelmRepository by namespace and name
     * @param git              reads GitRepositories
     * @param ociArtifacts     the latest stored artifact of an OCIRepository by key, empty when none is stored
     * @param helmCharts       finds a HelmChart by key
     */
    public record ChartSources(BiFunction<String, String, Optional<HelmRepository>> helmRepositories, GitSource git,
                               Function<ObjectKey, Optional<OciArtifact>> ociArtifacts,
                               Function<ObjectKey, Optional<HelmChart>> helmCharts) {

        /** Sources without OCIRepository artifacts or HelmCharts (a chartRef then finds none). */
        public ChartSources(BiFunction<String, String, Optional<HelmRepository>> helmRepositories, GitSource git) {
            this(helmRepositories, git, key -> Optional.empty(), key -> Optional.empty());
        }
    }

    /**
     * @param hr the HelmRelease
     * @return the object {@code spec.chartRef} names ({@code OCIRepository}, {@code HelmChart}, … in its namespace,
     *         default the HelmRelease's), or null when it has none
     */
    public static ObjectKey chartRefOf(HelmRelease hr) {
        HelmReleaseSpec spec = hr.getSpec();
        if (spec == null || spec.chartRef() == null) {
            return null;
        }
        Object namespace = spec.chartRef().get("namespace") == null ? hr.getMetadata().getNamespace()
                : spec.chartRef().get("namespace");
        return new ObjectKey(String.valueOf(spec.chartRef().get("kind")), String.valueOf(namespace),
                String.valueOf(spec.chartRef().get("name")));
    }

    /**
     * @param hr the HelmRelease
     * @return the HelmRepository its {@code spec.chart.spec.sourceRef} names (kind {@code HelmRepository}, in its
     *         namespace, default the HelmRelease's), or null when the chart comes from elsewhere or a {@code chartRef}
     */
    public static ObjectKey helmRepositoryOf(HelmRelease hr) {
        HelmReleaseSpec spec = hr.getSpec();
        if (spec == null || spec.chartRef() != null || spec.chart() == null
                || !(spec.chart().get("spec") instanceof Map<?, ?> chartSpec)
                || !(chartSpec.get("sourceRef") instanceof Map<?, ?> ref) || !HELM_REPOSITORY.equals(ref.get("kind"))) {
            return null;
        }
        Object namespace = ref.get("namespace") == null ? hr.getMetadata().getNamespace() : ref.get("namespace");
        return new ObjectKey(HELM_REPOSITORY, String.valueOf(namespace), String.valueOf(ref.get("name")));
    }

    /**
     * @param hr the HelmRelease
     * @return the GitRepository its chart comes from, or null when the chart is not from a GitRepository
     */
    @SuppressWarnings("unchecked")
    public static ObjectKey gitRepositoryOf(HelmRelease hr) {
        HelmReleaseSpec spec = hr.getSpec();
        if (spec == null || spec.chartRef() != null || spec.chart() == null
                || !(spec.chart().get("spec") instanceof Map<?, ?> chartSpec)
                || !(chartSpec.get("sourceRef") instanceof Map<?, ?> ref) || !GitRepository.KIND.equals(ref.get("kind"))) {
            return null;
        }
        Object namespace = ref.get("namespace") == null ? hr.getMetadata().getNamespace() : ref.get("namespace");
        return new ObjectKey(GitRepository.KIND, String.valueOf(namespace), String.valueOf(ref.get("name")));
    }

    /**
     * @param hr            the HelmRelease
     * @param sources       where its chart comes from
     * @param secretData    decoded data of a Secret by namespace and name (null when absent)
     * @param configMapData data of a ConfigMap by namespace and name (null when absent)
     * @return the bundle or a failure naming the repository URL, GitRepository and chart path, or values source
     */
    public Rendered render(HelmRelease hr, ChartSources sources,
                           BiFunction<String, String, Map<String, String>> secretData,
                           BiFunction<String, String, Map<String, String>> configMapData) {
        return render(hr, sources, secretData, configMapData, Capabilities.DEFAULT);
    }

    /**
     * As {@link #render(HelmRelease, ChartSources, BiFunction, BiFunction)}, for a target cluster of the given
     * {@code .Capabilities} (its discovery, {@link ClusterCapabilities}).
     *
     * @param capabilities the target cluster's, or {@link Capabilities#DEFAULT}
     * @return the bundle or a failure
     */
    @SuppressWarnings("unchecked")
    public Rendered render(HelmRelease hr, ChartSources sources,
                           BiFunction<String, String, Map<String, String>> secretData,
                           BiFunction<String, String, Map<String, String>> configMapData, Capabilities capabilities) {
        this.capabilities.set(capabilities);
        try {
            return renderFor(hr, sources, secretData, configMapData);
        } finally {
            this.capabilities.remove();
        }
    }

    @SuppressWarnings("unchecked")
    private Rendered renderFor(HelmRelease hr, ChartSources sources,
                               BiFunction<String, String, Map<String, String>> secretData,
                               BiFunction<String, String, Map<String, String>> configMapData) {
        String namespace = hr.getMetadata().getNamespace();
        HelmReleaseSpec spec = hr.getSpec();
        if ((spec.chart() == null) == (spec.chartRef() == null)) {
            return failed(INVALID_CHART_REFERENCE, "invalid chart reference: " + CHART_XOR_CHART_REF
                    + (spec.chart() == null ? " (neither is)" : " (both are): remove one of spec.chart and spec.chartRef"), null);
        }
        if (spec.chartRef() != null) {
            return fromChartRef(hr, sources, chartRefOf(hr), secretData, configMapData);
        }
        Map<String, Object> chartSpec = spec.chart() == null ? null : (Map<String, Object>) spec.chart().get("spec");
        if (chartSpec == null || chartSpec.get("chart") == null) {
            return failed(FluxReasons.ARTIFACT_FAILED, "spec.chart.spec.chart is required", null);
        }
        Map<String, Object> sourceRef = (Map<String, Object>) chartSpec.getOrDefault("sourceRef", Map.of());
        String sourceKind = String.valueOf(sourceRef.get("kind"));
        String sourceNamespace = sourceRef.get("namespace") == null ? namespace : String.valueOf(sourceRef.get("namespace"));
        String sourceName = String.valueOf(sourceRef.get("name"));
        String chartName = String.valueOf(chartSpec.get("chart"));
        return switch (sourceKind) {
            case HELM_REPOSITORY -> fromHelmRepository(hr, sources, chartSpec, sourceNamespace, sourceName, chartName,
                    secretData, configMapData);
            case GitRepository.KIND -> fromGitRepository(hr, sources, chartSpec, new ObjectKey(GitRepository.KIND,
                    sourceNamespace, sourceName), chartName, secretData, configMapData);
            default -> failed(FluxReasons.NOT_SUPPORTED, "chart source kind '" + sourceKind
                    + "' is not supported; use HelmRepository or GitRepository", null);
        };
    }

    private Rendered fromChartRef(HelmRelease hr, ChartSources sources, ObjectKey ref,
                                  BiFunction<String, String, Map<String, String>> secretData,
                                  BiFunction<String, String, Map<String, String>> configMapData) {
        String named = ref.kind() + " '" + ref.namespace() + "/" + ref.name() + "'";
        return switch (ref.kind()) {
            case OCI_REPOSITORY -> sources.ociArtifacts().apply(ref)
                    .map(artifact -> fromOciArtifact(hr, named, artifact, secretData, configMapData))
                    .orElseGet(() -> new Rendered(RenderOutcome.awaiting(SOURCE_NOT_READY, named
                            + " is not ready: no artifact stored yet", ref), null, null));
            case HELM_CHART -> fromHelmChart(hr, sources, ref, named, secretData, configMapData);
            default -> failed(FluxReasons.NOT_SUPPORTED, "spec.chartRef.kind '" + ref.kind()
                    + "' is not supported by Conflux; use OCIRepository or HelmChart", null);
        };
    }

    /** Renders the chart archive an OCIRepository stored, its version carrying the artifact digest. */
    private Rendered fromOciArtifact(HelmRelease hr, String named, OciArtifact artifact,
                                     BiFunction<String, String, Map<String, String>> secretData,
                                     BiFunction<String, String, Map<String, String>> configMapData) {
        Path work = workDirectory("oci-chart-");
        String version = null;
        try {
            Path archive = Files.write(work.resolve("chart.tgz"), artifact.content());
            ChartDirectory chart = ChartDirectory.find(ChartValuesFiles.unpack(archive, work.resolve("unpacked")), ".");
            OciChartVersion mutated = OciChartVersion.of(chart.version(), artifact.revision());
            version = mutated.version();
            Path dir = chart.copyTo(work.resolve(chart.name()), version);
            return renderChart(hr, dir, version, mutated.digest(), secretData, configMapData);
        } catch (HelmException e) {
            return failed(FluxReasons.ARTIFACT_FAILED, "Could not load chart: " + named + " at " + artifact.revision()
                    + ": " + e.getMessage(), version);
        } catch (IOException e) {
            return failed(FluxReasons.ARTIFACT_FAILED, "Could not load chart: " + named + ": " + e.getMessage(), version);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Renders the chart a HelmChart names once it is Ready with an artifact, fetched from its source as the HelmChart
     * fetches it (the chart cache of its HelmRepository, or the stored artifact of its GitRepository).
     */
    private Rendered fromHelmChart(HelmRelease hr, ChartSources sources, ObjectKey ref, String named,
                                   BiFunction<String, String, Map<String, String>> secretData,
                                   BiFunction<String, String, Map<String, String>> configMapData) {
        Optional<HelmChart> found = sources.helmCharts().apply(ref);
        if (found.isEmpty()) {
            return new Rendered(RenderOutcome.awaiting(FluxReasons.ARTIFACT_FAILED, "could not get Source object: "
                    + named + " not found", ref), null, null);
        }
        HelmChart helmChart = found.get();
        HelmChartSpec spec = helmChart.getSpec();
        boolean ready = helmChart.getStatus() != null && helmChart.getStatus().artifact() != null
                && helmChart.getStatus().conditions() != null && helmChart.getStatus().conditions().stream()
                .anyMatch(c -> "Ready".equals(c.type()) && "True".equals(c.status()));
        if (spec == null || spec.sourceRef() == null || !ready) {
            return new Rendered(RenderOutcome.awaiting(SOURCE_NOT_READY, named + " is not ready", ref), null, null);
        }
        Map<String, Object> chartSpec = new LinkedHashMap<>();
        chartSpec.put("chart", spec.chart());
        if (spec.version() != null) {
            chartSpec.put("version", spec.version());
        }
        if (spec.reconcileStrategy() != null) {
            chartSpec.put("reconcileStrategy", spec.reconcileStrategy());
        }
        if (spec.valuesFiles() != null) {
            chartSpec.put("valuesFiles", spec.valuesFiles());
        }
        if (spec.ignoreMissingValuesFiles() != null) {
            chartSpec.put("ignoreMissingValuesFiles", spec.ignoreMissingValuesFiles());
        }
        String kind = spec.sourceRef().kind();
        return switch (kind) {
            case HELM_REPOSITORY -> fromHelmRepository(hr, sources, chartSpec, ref.namespace(), spec.sourceRef().name(),
                    spec.chart(), secretData, configMapData);
            case GitRepository.KIND -> fromGitRepository(hr, sources, chartSpec, new ObjectKey(GitRepository.KIND,
                    ref.namespace(), spec.sourceRef().name()), spec.chart(), secretData, configMapData);
            default -> failed(FluxReasons.NOT_SUPPORTED, named + ": source kind '" + kind
                    + "' is not supported by Conflux; use HelmRepository or GitRepository", null);
        };
    }

    private Rendered fromHelmRepository(HelmRelease hr, ChartSources sources, Map<String, Object> chartSpec,
                                        String sourceNamespace, String sourceName, String chartName,
                                        BiFunction<String, String, Map<String, String>> secretData,
                                        BiFunction<String, String, Map<String, String>> configMapData) {
        Optional<HelmRepository> repository = sources.helmRepositories().apply(sourceNamespace, sourceName);
        if (repository.isEmpty()) {
            return new Rendered(RenderOutcome.awaiting(FluxReasons.ARTIFACT_FAILED, "HelmRepository '" + sourceNamespace
                    + "/" + sourceName + "' not found", new ObjectKey(HELM_REPOSITORY, sourceNamespace, sourceName)), null, null);
        }
        String range = chartSpec.get("version") == null ? "" : String.valueOf(chartSpec.get("version"));
        String version = null;
        try {
            ChartRepository charts = open(repository.get(), secretData);
            ResolvedChart chart = charts.resolve(chartName, range);
            version = chart.version();
            Path archive = charts.fetch(chart);
            ValuesFiles valuesFiles = ValuesFiles.of(chartSpec);
            if (valuesFiles.paths().isEmpty()) {
                return renderChart(hr, archive, version, secretData, configMapData);
            }
            Path work = workDirectory("values-files-");
            try {
                // unpacked once: the values files are read from the directory that is then rendered
                Path dir = ChartValuesFiles.unpack(archive, work.resolve(chart.name()));
                Map<String, Object> defaults;
                try {
                    defaults = ChartValuesFiles.mergeFromChart(dir, valuesFiles.paths(), valuesFiles.ignoreMissing());
                } catch (HelmException e) {
                    return failed(FluxReasons.ARTIFACT_FAILED, "chart '" + chartName + "' version " + version
                            + " of HelmRepository '" + sourceNamespace + "/" + sourceName + "': " + e.getMessage(), version);
                }
                ChartValuesFiles.replaceDefaultValues(dir, defaults);
                return renderChart(hr, dir, version, secretData, configMapData);
            } finally {
                deleteTree(work);
            }
        } catch (HelmException e) {
            return failed(FluxReasons.ARTIFACT_FAILED, e.getMessage(), version);
        }
    }

    /**
     * {@code chart.spec.valuesFiles} with {@code ignoreMissingValuesFiles}; the deprecated {@code valuesFile} of
     * {@code v2beta1} comes first, as source-controller's {@code HelmChart.GetValuesFiles()} puts it.
     *
     * @param paths         the values files in merge order; empty when the chart keeps its own {@code values.yaml}
     * @param ignoreMissing whether a listed file that is not there is skipped rather than failing the release
     */
    record ValuesFiles(List<String> paths, boolean ignoreMissing) {
        static ValuesFiles of(Map<String, Object> chartSpec) {
            List<String> paths = new ArrayList<>();
            if (chartSpec.get("valuesFile") instanceof String single && !single.isEmpty()) {
                paths.add(single);
            }
            if (chartSpec.get("valuesFiles") instanceof List<?> listed) {
                for (Object path : listed) {
                    if (path != null) {
                        paths.add(String.valueOf(path));
                    }
                }
            }
            return new ValuesFiles(List.copyOf(paths), Boolean.TRUE.equals(chartSpec.get("ignoreMissingValuesFiles")));
        }
    }

    private Path workDirectory(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(chartCache), prefix);
        } catch (IOException e) {
            throw new HelmException("cannot create a work directory under " + chartCache + ": " + e.getMessage(), e);
        }
    }

    private Rendered fromGitRepository(HelmRelease hr, ChartSources sources, Map<String, Object> chartSpec,
                                       ObjectKey gitRepository, String chartPath,
                                       BiFunction<String, String, Map<String, String>> secretData,
                                       BiFunction<String, String, Map<String, String>> configMapData) {
        String source = "GitRepository '" + gitRepository.namespace() + "/" + gitRepository.name() + "'";
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/source"));
            Optional<Revision> revision;
            try {
                revision = sources.git().checkout(gitRepository, root);
            } catch (GitException e) {
                return failed(FluxReasons.ARTIFACT_FAILED, source + ": " + e.getMessage(), null);
            }
            if (revision.isEmpty()) {
                return new Rendered(RenderOutcome.awaiting(FluxReasons.ARTIFACT_FAILED, source + " has no revision yet",
                        gitRepository), null, null);
            }
            ChartDirectory chart;
            try {
                chart = ChartDirectory.find(root, chartPath);
            } catch (HelmException e) {
                return failed(FluxReasons.BUILD_FAILED, e.getMessage() + " in " + source + " at " + revision.get(), null);
            }
            String version = RECONCILE_STRATEGY_REVISION.equals(chartSpec.get("reconcileStrategy"))
                    ? chart.versionWithRevision(revision.get().sha()) : chart.version();
            Path work = Files.createTempDirectory(Files.createDirectories(chartCache), "git-chart-");
            try {
                Path dir = chart.copyTo(work.resolve(chart.name()), version);
                ValuesFiles valuesFiles = ValuesFiles.of(chartSpec);
                if (!valuesFiles.paths().isEmpty()) {
                    // relative to the repository root, as source-controller reads them for a GitRepository chart
                    ChartValuesFiles.replaceDefaultValues(dir,
                            ChartValuesFiles.mergeFromSource(root, valuesFiles.paths(), valuesFiles.ignoreMissing()));
                }
                return renderChart(hr, dir, version, secretData, configMapData);
            } catch (HelmException e) {
                return failed(FluxReasons.ARTIFACT_FAILED, e.getMessage() + " (" + source + " at " + revision.get() + ")", version);
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            return failed(FluxReasons.ARTIFACT_FAILED, "cannot read chart '" + chartPath + "' of " + source + ": " + e.getMessage(), null);
        }
    }

    /** Templates the chart, post-renders the manifest and serializes the bundle; HelmExceptions propagate. */
    private Rendered renderChart(HelmRelease hr, Path chart, String version,
                                 BiFunction<String, String, Map<String, String>> secretData,
                                 BiFunction<String, String, Map<String, String>> configMapData) {
        return renderChart(hr, chart, version, null, secretData, configMapData);
    }

    /** As above; {@code ociDigest} is the OCIRepository artifact digest the chart came from, null otherwise. */
    private Rendered renderChart(HelmRelease hr, Path chart, String version, String ociDigest,
                                 BiFunction<String, String, Map<String, String>> secretData,
                                 BiFunction<String, String, Map<String, String>> configMapData) {
        HelmReleaseSpec spec = hr.getSpec();
        String namespace = hr.getMetadata().getNamespace();
        Map<String, Object> values = values(spec, namespace, secretData, configMapData);
        String configDigest = digest(values);
        String releaseNamespace = spec.targetNamespace() == null || spec.targetNamespace().isEmpty() ? namespace : spec.targetNamespace();
        String release = ReleaseNames.of(hr.getMetadata().getName(), spec.targetNamespace(), spec.releaseName());
        ChartRenderer.Release rendered = helm.render(chart, release, releaseNamespace, values, capabilities.get());
        List<Map<String, Object>> manifest;
        try {
            manifest = postRenderer.apply(rendered.manifest(), spec.postRenderers());
        } catch (KustomizeException e) {
            return new Rendered(RenderOutcome.failed(FluxReasons.BUILD_FAILED, "post-render of chart " + chart.getFileName()
                    + " " + version + " failed: " + e.getMessage()), version, configDigest);
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Map<String, Object> o : rendered.crds()) {
            objects.add(withNamespace(o, releaseNamespace));
        }
        for (Map<String, Object> o : manifest) {
            objects.add(withNamespace(o, releaseNamespace));
        }
        List<Map<String, Object>> hooks = new ArrayList<>();
        for (Map<String, Object> o : rendered.hooks()) {
            hooks.add(withNamespace(o, releaseNamespace));
        }
        ReleaseBundle bundle = new ReleaseBundle(objects, hooks, new ReleaseBundle.Release(rendered.chartMetadata(),
                rendered.chartValues(), values, secretSources(spec, namespace, secretData), ociDigest));
        try {
            return new Rendered(RenderOutcome.of(Bundle.ofRelease(releaseDigest(hr, rendered.chartMetadata(), version, ociDigest,
                    configDigest, release, releaseNamespace), bundle.write(json), objects.size())), version, configDigest);
        } catch (UncheckedIOException e) {
            return failed(FluxReasons.BUILD_FAILED, "cannot serialize bundle: " + e.getCause().getMessage(), version);
        }
    }

    /** @return {@code namespace/name} of each existing Secret {@code valuesFrom} names, in order */
    private static List<String> secretSources(HelmReleaseSpec spec, String namespace,
                                              BiFunction<String, String, Map<String, String>> secretData) {
        List<String> out = new ArrayList<>();
        if (spec.valuesFrom() != null) {
            for (Map<String, Object> ref : spec.valuesFrom()) {
                if ("Secret".equals(String.valueOf(ref.get("kind")))
                        && secretData.apply(namespace, String.valueOf(ref.get("name"))) != null) {
                    out.add(namespace + "/" + ref.get("name"));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Fetches a HTTP HelmRepository's index, as source-controller does on each of its intervals; blocking.
     *
     * @param repository the HelmRepository (not {@code type: oci}, which has no index)
     * @param secretData Secret data by (namespace, name), decoded, null when missing
     * @return the index revision, {@code sha256:<hex>}
     * @throws HelmException naming the URL (or the missing Secret) when the index cannot be fetched
     */
    public String indexRevision(HelmRepository repository, BiFunction<String, String, Map<String, String>> secretData) {
        return open(repository, secretData).indexRevision();
    }

    /**
     * A chart pulled from a HelmRepository, for a HelmChart's status.
     *
     * @param name    the chart's name
     * @param version the version resolved
     * @param archive the downloaded archive ({@code .tgz})
     */
    public record PulledChart(String name, String version, Path archive) {
    }

    /**
     * Resolves {@code chart} at {@code range} in {@code repository}'s index (or registry) and downloads it, as
     * source-controller pulls a HelmChart's chart; blocking.
     *
     * @throws HelmException naming the URL, chart or version when it cannot be resolved or downloaded
     */
    public PulledChart pull(HelmRepository repository, String chart, String range,
                            BiFunction<String, String, Map<String, String>> secretData) {
        ChartRepository charts = open(repository, secretData);
        ResolvedChart resolved = charts.resolve(chart, range == null ? "" : range);
        return new PulledChart(resolved.name(), resolved.version(), charts.fetch(resolved));
    }

    /** @return whether the HelmRepository is an OCI registry ({@code type: oci} or an {@code oci://} URL) */
    public static boolean isOci(HelmRepository repository) {
        return "oci".equals(repository.getSpec().type()) || String.valueOf(repository.getSpec().url()).startsWith("oci://");
    }

    private ChartRepository open(HelmRepository repository, BiFunction<String, String, Map<String, String>> secretData) {
        var spec = repository.getSpec();
        Optional<Credentials> auth = Optional.empty();
        if (spec.secretRef() != null) {
            Map<String, String> data = secretData.apply(repository.getMetadata().getNamespace(), spec.secretRef().name());
            if (data == null) {
                throw new HelmException("Secret '" + repository.getMetadata().getNamespace() + "/" + spec.secretRef().name()
                        + "' of HelmRepository '" + repository.getMetadata().getName() + "' not found");
            }
            auth = Optional.of(new Credentials(data.get("username"), data.get("password")));
        }
        SSLContext tls = null;
        if (spec.certSecretRef() != null) {
            String ns = repository.getMetadata().getNamespace();
            Map<String, String> data = secretData.apply(ns, spec.certSecretRef().name());
            if (data == null) {
                throw new HelmException("Secret '" + ns + "/" + spec.certSecretRef().name()
                        + "' (spec.certSecretRef) of HelmRepository '" + repository.getMetadata().getName() + "' not found");
            }
            tls = RepositoryTransport.sslContext(spec.certSecretRef().name(), data);
        }
        RepositoryTransport transport = new RepositoryTransport(tls, Boolean.TRUE.equals(spec.passCredentials()),
                Boolean.TRUE.equals(spec.insecure()));
        Duration timeout = GoDuration.parseOr(spec.timeout(), defaultTimeout);
        Path cache = repositoryCache(repository);
        return isOci(repository)
                ? ChartRepository.oci(spec.url(), auth, timeout, cache, transport)
                : ChartRepository.http(spec.url(), auth, timeout, cache, transport);
    }

    /**
     * The chart cache of one HelmRepository: {@code <chartCache>/<sha256(namespace/name url)>}. A cached archive is
     * served without a request when the index names its digest, so a cache shared between HelmRepositories would give
     * tenant B, whose own index claims the digest of tenant A's private chart, that chart without credentials; as with
     * Git mirrors ({@link io.conflux.git.GitMirror}), each object gets its own, at the cost of a chart used by several
     * HelmRepositories being downloaded once for each.
     */
    private Path repositoryCache(HelmRepository repository) {
        String id = repository.getMetadata().getNamespace() + "/" + repository.getMetadata().getName() + " "
                + repository.getSpec().url();
        try {
            return chartCache.resolve("repositories").resolve(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> values(HelmReleaseSpec spec, String namespace,
                                              BiFunction<String, String, Map<String, String>> secretData,
                                              BiFunction<String, String, Map<String, String>> configMapData) {
        List<ValuesReference> from = new ArrayList<>();
        if (spec.valuesFrom() != null) {
            for (Map<String, Object> ref : spec.valuesFrom()) {
                String kind = String.valueOf(ref.get("kind"));
                String name = String.valueOf(ref.get("name"));
                Function<String, Map<String, String>> lookup = "Secret".equals(kind)
                        ? n -> secretData.apply(namespace, n) : n -> configMapData.apply(namespace, n);
                HelmValues.reference(kind, namespace, name, lookup.apply(name),
                        ref.get("valuesKey") == null ? null : String.valueOf(ref.get("valuesKey")),
                        ref.get("targetPath") == null ? null : String.valueOf(ref.get("targetPath")),
                        Boolean.TRUE.equals(ref.get("optional"))).ifPresent(from::add);
            }
        }
        return HelmValues.merge(from, spec.values() == null ? Map.of() : spec.values());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withNamespace(Map<String, Object> object, String namespace) {
        Object metadata = object.get("metadata");
        if (metadata instanceof Map<?, ?> m && m.get("namespace") == null) {
            Map<String, Object> copy = new LinkedHashMap<>(object);
            Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) m);
            meta.put("namespace", namespace);
            copy.put("metadata", meta);
            return copy;
        }
        return object;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover copy under the chart cache is harmless
        }
    }

    /**
     * The digest of the inputs a release of {@code hr} depends on (see {@link Bundle#ofRelease}): the chart's name,
     * version and {@code Chart.yaml} metadata, the OCI artifact digest (null otherwise), the values' digest (inline
     * values and {@code valuesFrom} merged), the release name and namespace, and the spec (post-renderers,
     * install/upgrade options).
     */
    private String releaseDigest(HelmRelease hr, Map<String, Object> chartMetadata, String version, String ociDigest,
                                 String configDigest, String release, String releaseNamespace) {
        Map<String, Object> inputs = new java.util.LinkedHashMap<>();
        inputs.put("chart", chartMetadata);
        inputs.put("version", version);
        inputs.put("ociDigest", ociDigest);
        inputs.put("configDigest", configDigest);
        inputs.put("release", release);
        inputs.put("namespace", releaseNamespace);
        inputs.put("spec", json.convertValue(hr.getSpec(), Map.class));
        return digest(inputs);
    }

    /** @return {@code sha256:<hex>} of the tree as JSON with map keys sorted, so equal trees give equal digests */
    private String digest(Map<String, Object> tree) {
        try {
            byte[] canonical = json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsBytes(tree);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot digest a tree: " + e.getMessage(), e);
        }
    }

    private static Rendered failed(String reason, String message, String version) {
        return new Rendered(RenderOutcome.failed(reason, message), version, null);
    }
}
