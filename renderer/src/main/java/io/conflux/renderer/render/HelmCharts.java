package io.conflux.renderer.render;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.git.GitException;
import io.conflux.git.SourceTree;
import io.conflux.helm.ChartDirectory;
import io.conflux.helm.HelmException;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmChartSpec;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.Revision;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.Ownership;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.Requeue;
import io.conflux.service.StatusPatcher;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Flux's source-controller HelmChart reconciler in the renderer ({@code docs/spec/v1/helmcharts.md}): on the replica
 * owning the HelmChart's key, when it is created or changed and every {@code spec.interval} after ({@link Requeue}),
 * the chart is pulled from its {@code HelmRepository} ({@code spec.chart} at the newest version matching
 * {@code spec.version}, default {@code *}) or read from its {@code GitRepository}'s latest stored artifact
 * ({@code spec.chart} a path, the chart's own version; with {@code reconcileStrategy: Revision} suffixed
 * {@code +<12 hex of the commit>}), and the status written: {@code artifact} (revision = the chart version, digest =
 * {@code sha256} of the pulled archive or of the chart's files), {@code observedChartName},
 * {@code observedSourceArtifactRevision}, {@code observedValuesFiles}, {@code Ready=True} with reason
 * {@code ChartPullSucceeded} ("pulled '<name>' chart with version '<v>'") or {@code ChartPackageSucceeded}
 * ("packaged …"), or {@code Ready=False} with {@code ChartPullError}, {@code ChartPackageError},
 * {@code InvalidChartReference} or {@code SourceUnavailable}. {@code spec.verify} is refused {@code NotSupported}
 * (Conflux verifies no signatures), a {@code Bucket} source too until Conflux reads Buckets. A suspended HelmChart is
 * left alone. Values files are checked (missing ones fail unless {@code ignoreMissingValuesFiles}); HelmReleases
 * naming {@code chart.spec} still pull their charts themselves.
 */
public final class HelmCharts {
    private static final Logger LOG = Logger.getLogger(HelmCharts.class);
    static final String CHART_PULL_ERROR = "ChartPullError";
    static final String CHART_PACKAGE_ERROR = "ChartPackageError";
    static final String INVALID_CHART_REFERENCE = "InvalidChartReference";
    static final String SOURCE_UNAVAILABLE = "SourceUnavailable";

    private final HelmReleaseRenderer charts;
    private final SourceTree sourceTree;
    private final Function<ObjectKey, Optional<GitRepository>> repositories;
    private final BiFunction<String, String, Optional<HelmRepository>> helmRepositories;
    private final BiFunction<String, String, Map<String, String>> secrets;
    private final StatusPatcher status;
    private final ReactiveRunner runner;
    private final KeyedSerialQueue queue;
    private final Requeue requeue;
    private final Ownership ownership;
    private final Function<ObjectKey, Optional<HelmChart>> current;

    /**
     * @param charts           pulls charts from HelmRepositories (per-repository caches)
     * @param sourceTree       reads GitRepository content from the mirrors
     * @param repositories     the GitRepositories by key (the informer cache)
     * @param helmRepositories the HelmRepositories by namespace and name (the informer cache)
     * @param secrets          decoded Secret data by namespace and name, null when absent (blocking)
     * @param status           writes the HelmCharts' status
     * @param runner           runs the jobs' pipelines (Panache)
     * @param queue            serializes the jobs of one key
     * @param requeue          the service's timers
     * @param ownership        which HelmCharts this replica reconciles
     * @param current          the HelmChart of a key now (the informer cache)
     */
    HelmCharts(HelmReleaseRenderer charts, SourceTree sourceTree, Function<ObjectKey, Optional<GitRepository>> repositories,
               BiFunction<String, String, Optional<HelmRepository>> helmRepositories,
               BiFunction<String, String, Map<String, String>> secrets, StatusPatcher status, ReactiveRunner runner,
               KeyedSerialQueue queue, Requeue requeue, Ownership ownership, Function<ObjectKey, Optional<HelmChart>> current) {
        this.charts = charts;
        this.sourceTree = sourceTree;
        this.repositories = repositories;
        this.helmRepositories = helmRepositories;
        this.secrets = secrets;
        this.status = status;
        this.runner = runner;
        this.queue = queue;
        this.requeue = requeue;
        this.ownership = ownership;
        this.current = current;
    }

    /**
     * Reconciles {@code chart} now if this replica owns it, and again every {@code spec.interval}.
     *
     * @return a Uni completing when the status is written
     */
    Uni<Void> reconcile(HelmChart chart) {
        ObjectKey key = FluxMetadata.objectKey(chart);
        if (!ownership.owns(key)) {
            return Uni.createFrom().voidItem();
        }
        return once(key, chart).invoke(next -> schedule(key, next)).replaceWithVoid();
    }

    /** A HelmChart was deleted: its timer stops. */
    void deleted(HelmChart chart) {
        requeue.cancel(FluxMetadata.key(chart));
    }

    private void schedule(ObjectKey key, Duration next) {
        if (next == null) {
            requeue.cancel(key.toString());
            return;
        }
        requeue.schedule(key.toString(), next, () -> ownership.owns(key)
                ? current.apply(key).map(c -> once(key, c)).orElse(Uni.createFrom().nullItem())
                : Uni.createFrom().nullItem(), next);
    }

    /** @return a Uni of the wait before the next reconcile (null: none) */
    private Uni<Duration> once(ObjectKey key, HelmChart seen) {
        java.util.concurrent.atomic.AtomicReference<Duration> next = new java.util.concurrent.atomic.AtomicReference<>();
        return queue.submit(key.toString(), () -> runner.run(blocking -> {
            HelmChart chart = current.apply(key).orElse(seen);
            HelmChartSpec spec = chart.getSpec();
            if (spec == null || spec.suspended()) {
                return Uni.createFrom().voidItem();
            }
            next.set(GoDuration.parseOr(spec.interval(), FluxMetadata.DEFAULT_INTERVAL));
            Uni<StoredSources> stored = spec.sourceRef() != null && GitRepository.KIND.equals(spec.sourceRef().kind())
                    ? Panache.withSession(() -> StoredSources.of(chart.getMetadata().getNamespace()))
                    : Uni.createFrom().item(StoredSources.NONE);
            return stored.chain(s -> blocking.call(() -> {
                write(chart, build(chart, s));
                return null;
            })).replaceWithVoid();
        })).replaceWith(next::get);
    }

    /**
     * What a reconcile found.
     *
     * @param ready          whether the chart was pulled or packaged
     * @param reason         Flux's reason
     * @param message        Flux's message
     * @param name           the chart's name (ready)
     * @param version        the artifact revision (ready)
     * @param digest         {@code sha256:<hex>} (ready)
     * @param sourceRevision the source artifact revision read, null for a HelmRepository
     */
    record Outcome(boolean ready, String reason, String message, String name, String version, String digest,
                   String sourceRevision) {
        static Outcome failed(String reason, String message) {
            return new Outcome(false, reason, message, null, null, null, null);
        }
    }

    /** Pulls or packages the chart; blocking. */
    Outcome build(HelmChart chart, StoredSources stored) {
        HelmChartSpec spec = chart.getSpec();
        String ns = chart.getMetadata().getNamespace();
        if (spec.verify() != null) {
            return Outcome.failed(FluxReasons.NOT_SUPPORTED, "spec.verify is not supported by Conflux: chart signatures"
                    + " are not verified");
        }
        if (spec.chart() == null || spec.chart().isBlank() || spec.sourceRef() == null || spec.sourceRef().name() == null) {
            return Outcome.failed(INVALID_CHART_REFERENCE, "spec.chart and spec.sourceRef.name are required");
        }
        String kind = spec.sourceRef().kind();
        if ("HelmRepository".equals(kind)) {
            return pull(chart, ns);
        }
        if (GitRepository.KIND.equals(kind)) {
            return packageFromGit(chart, ns, stored);
        }
        return Outcome.failed(FluxReasons.NOT_SUPPORTED, "spec.sourceRef.kind '" + kind
                + "' is not supported by Conflux; use HelmRepository or GitRepository");
    }

    private Outcome pull(HelmChart chart, String ns) {
        HelmChartSpec spec = chart.getSpec();
        Optional<HelmRepository> repository = helmRepositories.apply(ns, spec.sourceRef().name());
        if (repository.isEmpty()) {
            return Outcome.failed(SOURCE_UNAVAILABLE, "failed to get source: HelmRepository '" + ns + "/"
                    + spec.sourceRef().name() + "' not found");
        }
        try {
            HelmReleaseRenderer.PulledChart pulled = charts.pull(repository.get(), spec.chart(), spec.version(), secrets);
            List<String> valuesFiles = spec.valuesFiles() == null ? List.of() : spec.valuesFiles();
            if (!valuesFiles.isEmpty()) {
                Path work = Files.createTempDirectory("conflux-helmchart-");
                try {
                    Path dir = io.conflux.helm.ChartValuesFiles.unpack(pulled.archive(), work.resolve(pulled.name()));
                    io.conflux.helm.ChartValuesFiles.mergeFromChart(dir, valuesFiles,
                            Boolean.TRUE.equals(spec.ignoreMissingValuesFiles()));
                } finally {
                    deleteTree(work);
                }
                return new Outcome(true, HelmChart.CHART_PACKAGE_SUCCEEDED, "packaged '" + pulled.name()
                        + "' chart with version '" + pulled.version() + "' and merged values files " + valuesFiles,
                        pulled.name(), pulled.version(), digest(Files.readAllBytes(pulled.archive()), valuesFiles), null);
            }
            return new Outcome(true, HelmChart.CHART_PULL_SUCCEEDED, "pulled '" + pulled.name() + "' chart with version '"
                    + pulled.version() + "'", pulled.name(), pulled.version(),
                    digest(Files.readAllBytes(pulled.archive()), List.of()), null);
        } catch (HelmException e) {
            return Outcome.failed(CHART_PULL_ERROR, "chart pull error: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return Outcome.failed(CHART_PULL_ERROR, "chart pull error: " + e.getMessage());
        }
    }

    private Outcome packageFromGit(HelmChart chart, String ns, StoredSources stored) {
        HelmChartSpec spec = chart.getSpec();
        ObjectKey source = new ObjectKey(GitRepository.KIND, ns, spec.sourceRef().name());
        Optional<GitSources.At> at = stored.at(source);
        if (at.isEmpty()) {
            return Outcome.failed(SOURCE_UNAVAILABLE, "failed to get source: " + source + " has no artifact yet");
        }
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/source"));
            Revision revision = Revision.parse(at.get().revision());
            GitSources git = new GitSources(repositories, stored::at, secrets);
            sourceTree.write(git.resolve(source, at.get().url(), revision), root);
            ChartDirectory dir = ChartDirectory.find(root, spec.chart());
            String version = HelmChart.STRATEGY_REVISION.equals(spec.reconcileStrategy())
                    ? dir.versionWithRevision(revision.sha()) : dir.version();
            List<String> valuesFiles = spec.valuesFiles() == null ? List.of() : spec.valuesFiles();
            if (!valuesFiles.isEmpty()) {
                io.conflux.helm.ChartValuesFiles.mergeFromSource(root, valuesFiles,
                        Boolean.TRUE.equals(spec.ignoreMissingValuesFiles()));
            }
            Path chartRoot = root.resolve(spec.chart().startsWith("/") ? spec.chart().substring(1) : spec.chart()).normalize();
            String message = "packaged '" + dir.name() + "' chart with version '" + version + "'"
                    + (valuesFiles.isEmpty() ? "" : " and merged values files " + valuesFiles);
            return new Outcome(true, HelmChart.CHART_PACKAGE_SUCCEEDED, message, dir.name(), version,
                    digest(io.conflux.renderer.generate.ArtifactContent.pack(chartRoot), valuesFiles), at.get().revision());
        } catch (GitException | IllegalArgumentException e) {
            return Outcome.failed(SOURCE_UNAVAILABLE, "failed to get source " + source + ": " + e.getMessage());
        } catch (HelmException e) {
            return Outcome.failed(CHART_PACKAGE_ERROR, "chart package error: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return Outcome.failed(CHART_PACKAGE_ERROR, "chart package error: " + e.getMessage());
        }
    }

    /** Writes {@code outcome} to the status; a failure keeps the last artifact, as source-controller does. */
    private void write(HelmChart chart, Outcome outcome) {
        ObjectKey key = FluxMetadata.objectKey(chart);
        long generation = FluxMetadata.generation(chart);
        List<Condition> conditions = chart.getStatus() == null || chart.getStatus().conditions() == null
                ? new ArrayList<>() : new ArrayList<>(chart.getStatus().conditions());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("observedGeneration", generation);
        fields.put("conditions", Conditions.set(conditions, Conditions.ready(outcome.ready(), generation, outcome.reason(),
                outcome.message())));
        if (outcome.ready()) {
            var shown = chart.getStatus() == null ? null : chart.getStatus().artifact();
            String time = shown != null && outcome.version().equals(shown.revision())
                    && outcome.digest().equals(shown.digest()) ? shown.lastUpdateTime() : Conditions.now();
            String path = "helmchart/" + key.namespace() + "/" + key.name() + "/" + outcome.name() + "-"
                    + outcome.version() + ".tgz";
            Map<String, Object> artifact = new LinkedHashMap<>();
            artifact.put("revision", outcome.version());
            artifact.put("digest", outcome.digest());
            artifact.put("lastUpdateTime", time);
            artifact.put("path", path);
            artifact.put("url", "conflux:renderer/" + path);
            fields.put("artifact", artifact);
            fields.put("observedChartName", outcome.name());
            fields.put("observedSourceArtifactRevision", outcome.sourceRevision());
            fields.put("observedValuesFiles", chart.getSpec().valuesFiles());
        } else {
            LOG.warnf("%s: %s: %s", key, outcome.reason(), outcome.message());
        }
        try {
            status.patch(key, fields);
        } catch (KubernetesClientException e) {
            LOG.warnf("status of %s not written: %s", key, e.getMessage());
        }
    }

    /** @return {@code sha256:<hex>} of the chart's bytes and, when merged, the values files' names */
    private static String digest(byte[] bytes, List<String> valuesFiles) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bytes);
            for (String v : valuesFiles) {
                sha.update((byte) 0);
                sha.update(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debugf("%s not deleted: %s", dir, e.getMessage());
        }
    }
}
