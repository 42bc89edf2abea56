package io.conflux.renderer.render;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.topic.SourceRevision;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Decides what to render when. A new source revision is fetched and stored ({@link SourceFetcher}); once stored, every
 * Kustomization whose {@code sourceRef} names that source, or names a GitRepository that includes it
 * ({@code spec.include}, at any depth: Flux's including artifact changes with the included one), and every HelmRelease
 * whose chart it holds renders. A new or changed Kustomization or HelmRelease renders, and each renders again after
 * its interval (a retryable failure after {@code retryInterval}).
 *
 * <p>Jobs are serialized per key: the fetches of one GitRepository, the renders of one object. A render reads,
 * inside its object's job, the object from the cache and the latest stored artifact of its source
 * ({@link StoredSources}): whatever order events arrive in, a later job never renders an older artifact than an
 * earlier one, and {@link RenderRecorder#needless} refuses to go back to a lower source sequence number for a
 * generation. What a render is made of is decided by {@link KustomizationRendering} and {@link HelmReleaseRendering};
 * its outcome is recorded and published by {@link RenderRecorder}.
 */
public final class RenderCoordinator implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RenderCoordinator.class);

    private final SourceFetcher fetcher;
    private final KustomizationRendering kustomizations;
    private final HelmReleaseRendering helmReleases;
    private final RenderRecorder recorder;
    private final ReactiveRunner runner;
    private final WatchedObjects watched;
    private final AutoCloseable resources;
    private final KeyedSerialQueue queue = new KeyedSerialQueue();
    private final Map<String, ScheduledFuture<?>> nextRenders = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conflux-render-timer");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param fetcher        fetches and stores source revisions
     * @param kustomizations plans Kustomization renders
     * @param helmReleases   plans HelmRelease renders
     * @param recorder       records and publishes renders
     * @param runner         runs the jobs' pipelines (Panache)
     * @param watched        the Flux objects on the cluster
     * @param resources      closed with the coordinator (the build threads)
     */
    RenderCoordinator(SourceFetcher fetcher, KustomizationRendering kustomizations, HelmReleaseRendering helmReleases,
                      RenderRecorder recorder, ReactiveRunner runner, WatchedObjects watched, AutoCloseable resources) {
        this.fetcher = fetcher;
        this.kustomizations = kustomizations;
        this.helmReleases = helmReleases;
        this.recorder = recorder;
        this.runner = runner;
        this.watched = watched;
        this.resources = resources;
    }

    /**
     * A source moved: fetches and stores the revision ({@link SourceFetcher}); when stored, renders what reads the
     * source.
     *
     * @return a Uni completing when the fetch's outcome is stored and written and those renders are recorded and
     *         published; failing when the database or Kafka fails
     */
    public Uni<Void> onSourceRevision(SourceRevision revision) {
        ObjectKey source = revision.sourceKey();
        AtomicBoolean stored = new AtomicBoolean();
        return queue.submit(source.toString(), () -> runner.run(blocking -> fetcher.fetch(revision, blocking))
                        .invoke(stored::set).replaceWithVoid())
                .chain(() -> stored.get() ? renderAll(source) : Uni.createFrom().voidItem());
    }

    /** A GitRepository was seen on the cluster: its status may name the last artifact fetched before a restart. */
    public void onGitRepository(GitRepository repository) {
        fetcher.seen(repository);
    }

    /**
     * A GitRepository was deleted: its stored artifact and its Git mirrors go with it ({@link SourceFetcher#forget}).
     *
     * @return a Uni completing when they are gone
     */
    public Uni<Void> onGitRepositoryDeleted(GitRepository repository) {
        ObjectKey source = FluxMetadata.objectKey(repository);
        return queue.submit(source.toString(), () -> runner.run(blocking -> fetcher.forget(source, blocking)));
    }

    /**
     * A Kustomization was created or changed: renders it at its source's latest stored artifact, if any.
     *
     * @return a Uni completing when the render is recorded and published (or found needless)
     */
    public Uni<Void> onKustomizationChanged(Kustomization k) {
        return render(FluxMetadata.objectKey(k), k);
    }

    /**
     * A HelmRelease was created or changed (or the HelmRepository serving its chart): renders its chart, and publishes
     * the result unless the same chart version was already rendered for this generation with the same values
     * (helm-controller upgrades when the values digest changes, e.g. a {@code valuesFrom} ConfigMap edited, seen at
     * the next interval). A chart from a GitRepository with no stored artifact waits for one, as Kustomizations do.
     *
     * @return a Uni completing when the render is recorded and published (or found needless)
     */
    public Uni<Void> onHelmRelease(HelmRelease hr) {
        return render(FluxMetadata.objectKey(hr), hr);
    }

    /**
     * Renders every Kustomization of {@code source} or of a GitRepository including it, and every HelmRelease whose chart
     * it holds.
     */
    private Uni<Void> renderAll(ObjectKey source) {
        GitSources includes = new GitSources(watched::gitRepository, key -> Optional.empty(), (ns, name) -> null);
        List<Uni<Void>> renders = new ArrayList<>();
        for (Kustomization k : watched.kustomizations()) {
            ObjectKey own = KustomizationRendering.sourceOf(k);
            if (source.equals(own) || own != null && includes.includes(own, source)) {
                renders.add(render(FluxMetadata.objectKey(k), k));
            }
        }
        int kustomizationCount = renders.size();
        for (HelmRelease hr : watched.helmReleases()) {
            if (source.equals(HelmReleaseRenderer.gitRepositoryOf(hr))) {
                renders.add(render(FluxMetadata.objectKey(hr), hr));
            }
        }
        LOG.infof("source %s: %d Kustomization(s) and %d HelmRelease(s) to render", source, kustomizationCount,
                renders.size() - kustomizationCount);
        return renders.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(renders).andCollectFailures().replaceWithVoid();
    }

    /**
     * Renders {@code key} in its serialized job, reading the object from the cache then ({@code seen} when the cache
     * does not have it) and its source's latest stored artifact.
     */
    private Uni<Void> render(ObjectKey key, HasMetadata seen) {
        return queue.submit(key.toString(), () -> runner.run(blocking -> {
            HasMetadata object = current(key).orElse(seen);
            String namespace = sourceNamespace(object);
            Uni<StoredSources> stored = namespace == null ? Uni.createFrom().item(StoredSources.NONE)
                    : Panache.withSession(() -> StoredSources.of(namespace));
            return stored.chain(sources -> blocking.call(() -> object instanceof HelmRelease hr
                            ? helmReleases.plan(hr, sources) : kustomizations.plan((Kustomization) object, sources)))
                    .chain(plan -> {
                        if (plan instanceof RenderPlan.Render render) {
                            return run(key, render, blocking);
                        }
                        LOG.debugf("%s", ((RenderPlan.Wait) plan).why());
                        return Uni.createFrom().voidItem();
                    });
        }));
    }

    private Uni<Void> run(ObjectKey key, RenderPlan.Render plan, ReactiveRunner.Blocking blocking) {
        Uni<Optional<String>> before = plan.known().map(recorder::needless).orElse(Uni.createFrom().item(Optional.empty()));
        return before.chain(needless -> {
            if (needless.isPresent()) {
                LOG.debugf("%s: not rendering: %s", key, needless.get());
                // Flux rebuilds every interval: look again then, in case the cluster inputs change.
                renderAgain(key, plan.interval());
                return Uni.createFrom().voidItem();
            }
            return blocking.call(() -> plan.work().get())
                    .invoke(rendered -> renderAgain(key, plan.next(rendered.outcome())))
                    .chain(rendered -> (plan.known().isPresent() ? Uni.createFrom().item(Optional.<String>empty())
                            : recorder.needless(rendered.input()))
                            .chain(after -> {
                                if (after.isPresent()) {
                                    LOG.debugf("%s: not recording: %s", key, after.get());
                                    return Uni.createFrom().voidItem();
                                }
                                return recorder.record(rendered.input(), rendered.outcome());
                            }));
        });
    }

    /**
     * Renders {@code key} again after {@code delay} (replacing any earlier schedule): Flux retries a failed
     * Kustomization after {@code retryInterval} and rebuilds every {@code interval}.
     */
    private void renderAgain(ObjectKey key, Duration delay) {
        ScheduledFuture<?> next = timer.schedule(() -> current(key).map(o -> render(key, o))
                        .orElse(Uni.createFrom().voidItem())
                        .subscribe().with(v -> { }, e -> LOG.errorf(e, "rendering %s again failed", key)),
                delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = nextRenders.put(key.toString(), next);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /** @return the object of {@code key} in the cache */
    private Optional<HasMetadata> current(ObjectKey key) {
        return switch (key.kind()) {
            case Kustomization.KIND -> watched.kustomization(key).map(k -> k);
            case HelmRelease.KIND -> watched.helmRelease(key).map(hr -> hr);
            default -> Optional.empty();
        };
    }

    /** @return the namespace of the GitRepository {@code object} reads, null when it reads none */
    private static String sourceNamespace(HasMetadata object) {
        ObjectKey source = object instanceof HelmRelease hr ? HelmReleaseRenderer.gitRepositoryOf(hr)
                : KustomizationRendering.sourceOf((Kustomization) object);
        return source == null ? null : source.namespace();
    }

    /** Stops the timers and the build threads. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            resources.close();
        } catch (Exception e) {
            LOG.warnf("renderer resources not closed: %s", e.getMessage());
        }
    }
}
