package io.conflux.renderer.render;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.ArtifactGenerator;
import io.conflux.model.source.ExternalArtifact;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmChart;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.conflux.model.meta.GoDuration;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.Ownership;
import io.conflux.service.PipelineMetrics;
import io.conflux.service.Tracing;
import io.conflux.service.Requeue;
import io.conflux.service.ReactiveRunner;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Decides what to render when. A new source revision is fetched and stored ({@link SourceFetcher}); once stored, every
 * Kustomization whose {@code sourceRef} names that source, or names a GitRepository that includes it
 * ({@code spec.include}, at any depth: Flux's including artifact changes with the included one), and every HelmRelease
 * whose chart it holds renders. A new or changed Kustomization or HelmRelease renders, and each renders again after
 * its interval (a retryable failure, or a render that failed outright, after {@code retryInterval}; one whose source
 * is missing or has no artifact yet, after {@code conflux.renderer.requeue-dependency}, {@link SourceWaiters}) through
 * the service's {@link Requeue}, whatever the outcome. A source's event (a GitRepository's or ExternalArtifact's stored
 * artifact, a HelmRepository created or changed) also renders the objects waiting for it. Only objects this replica
 * owns ({@link Ownership}: the Kafka partition of their key) are rendered; a rebalance renders the newly owned ones and
 * stops the others' timers.
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
    private final KeyedSerialQueue queue;
    private final Requeue requeue;
    private final Ownership ownership;
    private final AutoCloseable resources;
    /** Set by {@link #close}: renders finishing from then on are not recorded. */
    private volatile boolean closed;
    private final ArtifactGenerators generators;
    private final HelmCharts helmCharts;
    private final SourceWaiters waiters;
    /** Per GitRepository, the last revision record handled here (its owner), fetched again when an include changes. */
    private final Map<ObjectKey, SourceRevision> lastRecords = new ConcurrentHashMap<>();
    /** Render duration and bundle size ({@code conflux_render_duration_seconds}, {@code conflux_bundle_size_bytes}). */
    private volatile PipelineMetrics metrics = new PipelineMetrics(null);
    /** The spans of renders ({@code render}); none until {@link #tracing(Tracing)}. */
    private volatile Tracing tracing = Tracing.off();

    /**
     * @param fetcher        fetches and stores source revisions
     * @param kustomizations plans Kustomization renders
     * @param helmReleases   plans HelmRelease renders
     * @param recorder       records and publishes renders
     * @param runner         runs the jobs' pipelines (Panache)
     * @param watched        the Flux objects on the cluster
     * @param queue          serializes the jobs of one key (bounded: {@code conflux.queue.*})
     * @param requeue        the service's timers: every render is followed by the next one
     * @param ownership      which objects this replica renders; newly owned ones render at once, timers of objects
     *                       no longer owned stop
     * @param resources      closed with the coordinator (the build threads)
     * @param generators     generates the ExternalArtifacts of ArtifactGenerators
     * @param helmCharts     reconciles HelmCharts
     * @param waiters        the objects waiting for a missing source, looked at again soon and on the source's event
     */
    RenderCoordinator(SourceFetcher fetcher, KustomizationRendering kustomizations, HelmReleaseRendering helmReleases,
                      RenderRecorder recorder, ReactiveRunner runner, WatchedObjects watched, KeyedSerialQueue queue,
                      Requeue requeue, Ownership ownership, AutoCloseable resources, ArtifactGenerators generators,
                      HelmCharts helmCharts, SourceWaiters waiters) {
        this.fetcher = fetcher;
        this.kustomizations = kustomizations;
        this.helmReleases = helmReleases;
        this.recorder = recorder;
        this.runner = runner;
        this.watched = watched;
        this.queue = queue;
        this.requeue = requeue;
        this.ownership = ownership;
        this.resources = resources;
        this.generators = generators;
        this.helmCharts = helmCharts;
        this.waiters = waiters;
        ownership.onAssigned(this::resume);
        ownership.onRevoked(requeue::cancelIf);
    }

    /** Records render durations and bundle sizes in {@code metrics} from now on (none until called). */
    void metrics(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Traces every render from now on: one span {@code render} per Kustomization or HelmRelease render, child of the
     * context the render was scheduled in (the source revision's record, for a render it triggered), current through
     * the render so that the render result published through the outbox carries it on to the applier.
     */
    void tracing(Tracing tracing) {
        this.tracing = tracing;
    }

    /**
     * Keys became this replica's (a rebalance): renders each newly owned Kustomization and HelmRelease, from
     * PostgreSQL's stored artifacts and render records, which also arms its timer. Runs on Kafka's polling thread: the
     * renders are only scheduled there.
     */
    private void resume(Predicate<String> newlyOwned) {
        List<HasMetadata> objects = new ArrayList<>(watched.kustomizations());
        objects.addAll(watched.helmReleases());
        int resumed = 0;
        for (HasMetadata o : objects) {
            ObjectKey key = FluxMetadata.objectKey(o);
            if (newlyOwned.test(key.toString())) {
                schedule(key, Duration.ZERO);
                resumed++;
            }
        }
        for (ArtifactGenerator g : watched.artifactGenerators()) {
            ObjectKey key = FluxMetadata.objectKey(g);
            if (newlyOwned.test(key.toString())) {
                generate(key).subscribe().with(v -> { }, e -> LOG.warnf("%s: generation failed: %s", key, e.toString()));
                resumed++;
            }
        }
        for (HelmChart c : watched.helmCharts()) {
            if (newlyOwned.test(FluxMetadata.key(c))) {
                helmCharts.reconcile(c).subscribe().with(v -> { }, e -> LOG.warnf("%s: reconcile failed: %s",
                        FluxMetadata.key(c), e.toString()));
                resumed++;
            }
        }
        LOG.infof("resuming %d newly owned object(s)", resumed);
    }

    /**
     * A source moved: fetches and stores the revision ({@link SourceFetcher}) — on the replica owning the GitRepository,
     * which Kafka gives its records to; once the artifact is stored in PostgreSQL, renders what reads the source and
     * this replica owns, while the fetch writes the GitRepository's status (renders read the stored artifact, never the
     * status; the other replicas render theirs when they see the status change, {@link #onSourceStored}).
     *
     * @return a Uni completing when the fetch's outcome is stored and written and those renders are done; failing when
     *         fetching, storing or writing the status fails (a failed render is retried by its own timer)
     */
    public Uni<Void> onSourceRevision(SourceRevision revision) {
        ObjectKey source = revision.sourceKey();
        lastRecords.put(source, revision);
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Boolean> stored = new CompletableFuture<>();
            Uni<Void> fetched = queue.submit(source.toString(), () -> runner.run(blocking ->
                            fetcher.fetch(revision, blocking, () -> stored.complete(true))).replaceWithVoid())
                    .onTermination().invoke(() -> stored.complete(false));
            // a render that fails is rendered again by its timer (render arms it whatever the outcome): it does not
            // fail the revision, which is fetched and stored
            Uni<Void> renders = Uni.createFrom().completionStage(stored).chain(s -> !s ? Uni.createFrom().voidItem()
                    : Uni.join().all(renderAll(source), generateReaders(source)).andCollectFailures().replaceWithVoid()
                    .onFailure().recoverWithUni(e -> {
                        LOG.warnf("%s: some renders failed, each again after its retryInterval: %s", source, e.toString());
                        return Uni.createFrom().voidItem();
                    }));
            return Uni.join().all(fetched, renders).andCollectFailures().replaceWithVoid()
                    .onFailure(CompositeException.class).transform(RenderCoordinator::firstCause);
        });
    }

    /** @return the one failure of a join whose other member never fails (the renders recover theirs) */
    private static Throwable firstCause(Throwable failure) {
        List<Throwable> causes = ((CompositeException) failure).getCauses();
        return causes.size() == 1 ? causes.get(0) : failure;
    }

    /** A GitRepository was seen on the cluster: its status may name the last artifact fetched before a restart. */
    public void onGitRepository(GitRepository repository) {
        fetcher.seen(repository);
    }

    /**
     * The artifact in a GitRepository's status changed: its owner stored a new artifact (it writes the status only
     * after storing), or the receiver wrote a new revision. Renders the objects this replica owns that read the source;
     * each reads the latest stored artifact in its own job, so a revision not stored yet renders nothing new. As
     * kustomize-controller watches its sources' artifacts. Not when the artifact's revision is the one this replica's
     * last record of the source carries: {@link #onSourceRevision} fetched (or is fetching) it here and renders its
     * readers once stored, inside that record's trace; a second render of each, started by the status this replica
     * wrote, would only find the first one's result (or race it, and carry the push's render result out of its trace).
     *
     * @return a Uni completing when those renders are recorded (or found needless)
     */
    public Uni<Void> onSourceStored(GitRepository repository) {
        ObjectKey source = FluxMetadata.objectKey(repository);
        List<Uni<Void>> work = new ArrayList<>();
        SourceRevision handledHere = lastRecords.get(source);
        String stored = repository.getStatus() == null || repository.getStatus().artifact() == null ? null
                : repository.getStatus().artifact().revision();
        if (stored == null || handledHere == null || !stored.equals(handledHere.revision())) {
            work.add(renderAll(source));
            work.add(generateReaders(source));
        }
        // as source-controller requeues a GitRepository when one it includes changes: the including repositories this
        // replica owns are fetched again at their current revision (one whose fetch failed for want of the included
        // artifact is stored now), so their artifacts carry the included one's
        for (GitRepository including : includersOf(source)) {
            ObjectKey key = FluxMetadata.objectKey(including);
            SourceRevision last = lastRecords.get(key);
            work.add(onSourceRevision(last != null ? last : new SourceRevision(key.toString(),
                    FluxMetadata.generation(including), including.getSpec().url(), including.getSpec().ref(),
                    including.getStatus().artifact().revision(), Trigger.POLL, null, null)));
        }
        return work.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(work).andCollectFailures().replaceWithVoid();
    }

    /**
     * @return the GitRepositories this replica owns that include {@code source} directly and have a revision to fetch:
     *         the last record handled here (a failed fetch leaves no revision in the status), else their status's
     */
    private List<GitRepository> includersOf(ObjectKey source) {
        return watched.gitRepositories().stream()
                .filter(g -> g.getSpec() != null && g.getSpec().include() != null
                        && (lastRecords.containsKey(FluxMetadata.objectKey(g)) || g.getStatus() != null
                        && g.getStatus().artifact() != null && g.getStatus().artifact().revision() != null))
                .filter(g -> g.getSpec().include().stream().anyMatch(i -> i.repository() != null
                        && source.equals(new ObjectKey(GitRepository.KIND, g.getMetadata().getNamespace(), i.repository().name()))))
                .filter(g -> ownership.owns(FluxMetadata.objectKey(g)))
                .toList();
    }

    /**
     * An ArtifactGenerator was created, its spec changed or a reconcile was requested: this replica generates it if it
     * owns it ({@link ArtifactGenerators}), then renders the Kustomizations of the ExternalArtifacts that changed.
     *
     * @return a Uni completing when generated and those renders are done
     */
    public Uni<Void> onArtifactGenerator(ArtifactGenerator generator) {
        return generate(FluxMetadata.objectKey(generator));
    }

    /**
     * An ArtifactGenerator was deleted: its owner deletes its ExternalArtifacts and their stored artifacts.
     *
     * @return a Uni completing when they are gone
     */
    public Uni<Void> onArtifactGeneratorDeleted(ArtifactGenerator generator) {
        return ownership.owns(FluxMetadata.objectKey(generator)) ? generators.forget(generator) : Uni.createFrom().voidItem();
    }

    /**
     * The artifact in an ExternalArtifact's status changed (its generator's owner stored a new one, then wrote it):
     * renders the Kustomizations this replica owns that read it, and generates the generators reading it.
     *
     * @return a Uni completing when those renders are done
     */
    public Uni<Void> onExternalArtifactStored(ExternalArtifact artifact) {
        ObjectKey source = FluxMetadata.objectKey(artifact);
        return Uni.join().all(renderAll(source), generateReaders(source)).andCollectFailures().replaceWithVoid();
    }

    /**
     * An ExternalArtifact was deleted: when it names a generator that still exists, that generator is generated again
     * on its owner, which applies it again if it is still one of its outputs (source-watcher corrects such drift); a
     * generator that deleted it itself, or is gone, generates nothing new.
     *
     * @return a Uni completing when generated
     */
    public Uni<Void> onExternalArtifactDeleted(ExternalArtifact artifact) {
        var ref = artifact.getSpec() == null ? null : artifact.getSpec().sourceRef();
        if (ref == null || !ArtifactGenerator.KIND.equals(ref.kind()) || ref.name() == null) {
            return Uni.createFrom().voidItem();
        }
        return generate(new ObjectKey(ArtifactGenerator.KIND, ref.namespaceOr(artifact.getMetadata().getNamespace()),
                ref.name()));
    }

    /** Generates {@code generator} (if owned here), then renders what reads the ExternalArtifacts that changed. */
    private Uni<Void> generate(ObjectKey generator) {
        return generators.generate(generator).chain(changed -> changed.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(changed.stream().map(this::renderAll).toList()).andCollectFailures().replaceWithVoid());
    }

    /** Generates every generator this replica owns that reads {@code source}. */
    private Uni<Void> generateReaders(ObjectKey source) {
        List<ObjectKey> readers = generators.readersOf(source);
        if (readers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.join().all(readers.stream().map(this::generate).toList()).andCollectFailures().replaceWithVoid();
    }

    /**
     * A HelmChart was created, changed or a reconcile requested: its owner pulls or packages it and writes its status,
     * then again every interval ({@link HelmCharts}).
     *
     * @return a Uni completing when its status is written
     */
    public Uni<Void> onHelmChart(HelmChart chart) {
        return helmCharts.reconcile(chart);
    }

    /** A HelmChart was deleted: its timer stops. */
    public void onHelmChartDeleted(HelmChart chart) {
        helmCharts.deleted(chart);
    }

    /** A Kustomization or HelmRelease was deleted: its timer stops, and it no longer waits for its source. */
    public void onDeleted(HasMetadata object) {
        requeue.cancel(FluxMetadata.key(object));
        waiters.done(FluxMetadata.objectKey(object));
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
     * A HelmRepository was created, its spec changed or a reconcile was requested: renders the HelmReleases whose chart
     * it serves, those in the cache and those whose last render found it missing ({@link SourceWaiters}, also when the
     * cache did not hold them yet), as helm-controller watches the sources of its releases.
     *
     * @return a Uni completing when those renders are recorded and published
     */
    public Uni<Void> onHelmRepository(HelmRepository repository) {
        return renderAll(FluxMetadata.objectKey(repository));
    }

    /**
     * Renders every Kustomization of {@code source} or of a GitRepository including it, every HelmRelease whose chart
     * it holds or serves, and every object whose last render waited for it ({@link SourceWaiters}) that the cache did
     * not show among these.
     */
    private Uni<Void> renderAll(ObjectKey source) {
        GitSources includes = new GitSources(watched::gitRepository, key -> Optional.empty(), (ns, name) -> null);
        Map<ObjectKey, HasMetadata> kustomizationsOf = new LinkedHashMap<>();
        for (Kustomization k : watched.kustomizations()) {
            ObjectKey own = KustomizationRendering.sourceOf(k);
            if (source.equals(own) || own != null && includes.includes(own, source)
                    || source.equals(ExternalArtifactRendering.sourceOf(k))) {
                kustomizationsOf.put(FluxMetadata.objectKey(k), k);
            }
        }
        Map<ObjectKey, HasMetadata> releasesOf = new LinkedHashMap<>();
        for (HelmRelease hr : watched.helmReleases()) {
            if (source.equals(HelmReleaseRenderer.gitRepositoryOf(hr)) || source.equals(HelmReleaseRenderer.chartRefOf(hr))
                    || source.equals(HelmReleaseRenderer.helmRepositoryOf(hr))) {
                releasesOf.put(FluxMetadata.objectKey(hr), hr);
            }
        }
        Map<ObjectKey, HasMetadata> waitersOf = new LinkedHashMap<>();
        for (HasMetadata waiter : waiters.of(source)) {
            ObjectKey key = FluxMetadata.objectKey(waiter);
            if (!kustomizationsOf.containsKey(key) && !releasesOf.containsKey(key)) {
                waitersOf.put(key, waiter);
            }
        }
        LOG.infof("source %s: %d Kustomization(s), %d HelmRelease(s) and %d more object(s) waiting for it to render",
                source, kustomizationsOf.size(), releasesOf.size(), waitersOf.size());
        List<Uni<Void>> renders = new ArrayList<>();
        for (Map<ObjectKey, HasMetadata> objects : List.of(kustomizationsOf, releasesOf, waitersOf)) {
            objects.forEach((key, object) -> renders.add(render(key, object)));
        }
        return renders.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(renders).andCollectFailures().replaceWithVoid();
    }

    /**
     * Renders {@code key} now if this replica owns it, then arms its timer whatever the outcome: after its
     * {@code interval} (a retryable failure: {@code retryInterval}), and after {@code retryInterval} when the render
     * itself failed (database down, queue full or timed out).
     *
     * @return a Uni completing when rendered, failing with the render's failure
     */
    private Uni<Void> render(ObjectKey key, HasMetadata seen) {
        if (!ownership.owns(key)) {
            return Uni.createFrom().voidItem();
        }
        return renderOnce(key, seen)
                .onItemOrFailure().invoke((next, failure) -> {
                    if (failure != null) {
                        LOG.warnf("%s: render failed, again in %s: %s", key, retryOf(seen), failure.toString());
                    }
                    schedule(key, failure != null ? retryOf(seen) : next);
                })
                .replaceWithVoid();
    }

    /** Arms {@code key}'s timer: its next render after {@code delay} (none when null). */
    private void schedule(ObjectKey key, Duration delay) {
        Optional<HasMetadata> object = current(key);
        if (delay == null || object.isEmpty() || !ownership.owns(key)) {
            requeue.cancel(key.toString());
            return;
        }
        requeue.schedule(key.toString(), delay, () -> ownership.owns(key)
                ? current(key).map(o -> renderOnce(key, o)).orElse(Uni.createFrom().nullItem())
                : Uni.createFrom().nullItem(), retryOf(object.get()));
    }

    /** @return Flux's {@code retryInterval} of {@code object}, else its {@code interval}, else the default */
    private static Duration retryOf(HasMetadata object) {
        Duration interval = FluxMetadata.DEFAULT_INTERVAL;
        if (object instanceof Kustomization k && k.getSpec() != null) {
            interval = GoDuration.parseOr(k.getSpec().retryInterval(), GoDuration.parseOr(k.getSpec().interval(), interval));
        } else if (object instanceof HelmRelease hr && hr.getSpec() != null) {
            interval = GoDuration.parseOr(hr.getSpec().interval(), interval);
        }
        return interval;
    }

    /**
     * Renders {@code key} once in its serialized job, reading the object from the cache then ({@code seen} when the
     * cache does not have it) and its source's latest stored artifact.
     *
     * @return a Uni of the wait before the next render (null: none, until an event)
     */
    private Uni<Duration> renderOnce(ObjectKey key, HasMetadata seen) {
        AtomicReference<Duration> next = new AtomicReference<>();
        return queue.submit(key.toString(), () -> tracing.span("render", key.toString(), () -> runner.run(blocking -> {
            HasMetadata object = current(key).orElse(seen);
            String namespace = sourceNamespace(object);
            ObjectKey artifactSource = object instanceof Kustomization k ? KustomizationRendering.sourceOf(k)
                    : HelmReleaseRenderer.chartRefOf((HelmRelease) object);
            Uni<StoredSources> stored = namespace == null ? Uni.createFrom().item(StoredSources.NONE)
                    : Panache.withSession(() -> StoredSources.of(namespace).chain(s ->
                            ArtifactSourceRendering.handles(artifactSource) ? s.withContent(artifactSource)
                                    : Uni.createFrom().item(s)));
            return stored.chain(sources -> blocking.call(() -> object instanceof HelmRelease hr
                            ? helmReleases.plan(hr, sources) : kustomizations.plan((Kustomization) object, sources)))
                    .chain(plan -> {
                        if (plan instanceof RenderPlan.Render render) {
                            return run(key, object, render, blocking, next);
                        }
                        RenderPlan.Wait wait = (RenderPlan.Wait) plan;
                        if (wait.source() == null) {
                            waiters.done(key);
                            LOG.debugf("%s", wait.why());
                        } else {
                            next.set(waiters.waiting(key, wait.source(), object, wait.retryInterval()));
                            LOG.debugf("%s; looking again in %s", wait.why(), next.get());
                        }
                        return Uni.createFrom().voidItem();
                    });
        }))).replaceWith(next::get);
    }

    private Uni<Void> run(ObjectKey key, HasMetadata object, RenderPlan.Render plan, ReactiveRunner.Blocking blocking,
                          AtomicReference<Duration> next) {
        Uni<Optional<String>> before = plan.known().map(recorder::needless).orElse(Uni.createFrom().item(Optional.empty()));
        return before.chain(needless -> {
            if (needless.isPresent()) {
                LOG.debugf("%s: not rendering: %s", key, needless.get());
                // Flux rebuilds every interval: look again then, in case the cluster inputs change.
                waiters.done(key);
                next.set(plan.interval());
                return Uni.createFrom().voidItem();
            }
            long started = System.nanoTime();
            return blocking.call(() -> plan.work().get())
                    .invoke(rendered -> {
                        Bundle bundle = rendered.outcome().bundle();
                        metrics.renderDuration(key.kind(), bundle != null, Duration.ofNanos(System.nanoTime() - started));
                        if (bundle != null) {
                            metrics.bundleSize(key.kind(), bundle.content().getBytes(StandardCharsets.UTF_8).length);
                        }
                    })
                    .invoke(rendered -> next.set(nextAfter(key, object, plan, rendered.outcome())))
                    .chain(rendered -> closed ? notRecorded(key, "the renderer is stopping")
                            : (plan.known().isPresent() ? Uni.createFrom().item(Optional.<String>empty())
                            : recorder.needless(rendered.input()))
                            .chain(after -> {
                                if (after.isPresent()) {
                                    return notRecorded(key, after.get());
                                }
                                return recorder.record(rendered.input(), rendered.outcome(),
                                        webhookReceivedAt(rendered.input().revision()));
                            }));
        });
    }

    private static Uni<Void> notRecorded(ObjectKey key, String why) {
        LOG.debugf("%s: not recording: %s", key, why);
        return Uni.createFrom().voidItem();
    }

    /**
     * @return the wait before {@code key}'s next render after {@code outcome}: while its source is missing or has no
     *         artifact, the dependency requeue ({@link SourceWaiters}, at most {@code retryInterval}); otherwise
     *         {@code interval}, or {@code retryInterval} after a retryable failure
     */
    private Duration nextAfter(ObjectKey key, HasMetadata object, RenderPlan.Render plan, RenderOutcome outcome) {
        if (outcome.awaitedSource() != null) {
            Duration wait = waiters.waiting(key, outcome.awaitedSource(), object, plan.retryInterval());
            LOG.debugf("%s waits for %s: looking again in %s", key, outcome.awaitedSource(), wait);
            return wait;
        }
        waiters.done(key);
        return plan.next(outcome);
    }

    /**
     * @return when the webhook announcing {@code revision} was received, if this replica handled the revision's record
     *         and it came from a webhook; null otherwise (the latency is then not measured)
     */
    private String webhookReceivedAt(String revision) {
        if (revision == null || revision.isEmpty()) {
            return null;
        }
        return lastRecords.values().stream().filter(r -> revision.equals(r.revision()) && r.webhookReceivedAt() != null)
                .map(SourceRevision::webhookReceivedAt).findFirst().orElse(null);
    }

    /** @return the object of {@code key} in the cache */
    private Optional<HasMetadata> current(ObjectKey key) {
        return switch (key.kind()) {
            case Kustomization.KIND -> watched.kustomization(key).map(k -> k);
            case HelmRelease.KIND -> watched.helmRelease(key).map(hr -> hr);
            default -> Optional.empty();
        };
    }

    /**
     * @return the namespace of the GitRepository {@code object} reads (or of a HelmRelease's {@code chartRef}, whose
     *         OCIRepository content or HelmChart source is stored there), null when it reads none
     */
    private static String sourceNamespace(HasMetadata object) {
        ObjectKey source = object instanceof HelmRelease hr ? Optional.ofNullable(HelmReleaseRenderer.gitRepositoryOf(hr))
                .orElse(HelmReleaseRenderer.chartRefOf(hr)) : KustomizationRendering.sourceOf((Kustomization) object);
        if (source == null && object instanceof Kustomization k) {
            source = ExternalArtifactRendering.sourceOf(k);
        }
        return source == null ? null : source.namespace();
    }

    /**
     * Stops the build threads (the timers are the service's {@link Requeue}). A render cut short by the stop ({@code
     * renderer stopping}, {@code build interrupted}) or finishing after it is not recorded: it says nothing about the
     * object, which its next owner renders when it resumes it; published, it would set the object not Ready.
     */
    @Override
    public void close() {
        closed = true;
        try {
            resources.close();
        } catch (Exception e) {
            LOG.warnf("renderer resources not closed: %s", e.getMessage());
        }
    }
}
