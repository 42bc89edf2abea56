package io.conflux.renderer.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitException;
import io.conflux.git.GitMirror;
import io.conflux.git.GitSource;
import io.conflux.git.ArtifactDigest;
import io.conflux.renderer.source.GitArtifacts;
import io.conflux.git.GitUrlRewriter;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.conflux.git.SourceTree;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.ReactiveRunner;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.HelmRepository;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.RenderResult;
import io.conflux.model.topic.SourceRevision;
import io.conflux.renderer.persist.BundleStore;
import io.conflux.renderer.persist.RenderRecord;
import io.conflux.renderer.persist.SourceArtifact;
import io.conflux.renderer.produce.RenderResultProducer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.conflux.model.meta.GoDuration;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Decides what to render and runs each render: a new source revision renders every Kustomization whose
 * {@code sourceRef} names that source, or names a GitRepository that includes it ({@code spec.include}, at any depth:
 * Flux's including artifact changes with the included one); a new or changed Kustomization renders at its source's
 * latest revision. Each render is skipped when a deterministic outcome for the same input (object, generation,
 * revision, {@code reconcile.fluxcd.io/requestedAt}, included sources' revisions) is recorded, so redelivered
 * messages change nothing twice.
 * Renders of one object are serialized; the result is persisted (bundle by digest, render record) before it is
 * published to {@code conflux.render-results}.
 */
@ApplicationScoped
public class RenderCoordinator {
    private static final Logger LOG = Logger.getLogger(RenderCoordinator.class);
    /** Flux's default interval when an object sets none. */
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    /** Reason of a render whose bundle may not be stored ({@link BundleStore#refusal}). */
    static final String BUNDLE_NOT_STORED = "BundleNotStored";

    @Inject
    RendererConfig config;
    @Inject
    BundleStore bundleStore;
    @Inject
    ReactiveRunner runner;
    @Inject
    RenderResultProducer producer;
    @Inject
    ObjectMapper json;
    @Inject
    KubernetesClient client;

    private final Map<ObjectKey, SourceRevision> latestRevisions = new ConcurrentHashMap<>();
    private final KeyedSerialQueue queue = new KeyedSerialQueue();
    private final Map<String, ScheduledFuture<?>> nextRenders = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conflux-render-timer");
        t.setDaemon(true);
        return t;
    });
    private Function<ObjectKey, Optional<HelmRelease>> helmReleases = k -> Optional.empty();
    private Supplier<List<HelmRelease>> allHelmReleases = List::of;
    private GitMirror mirror;
    private SourceTree sourceTree;
    private SourceTip tips;
    private KustomizationRenderer renderer;
    private HelmReleaseRenderer helmRenderer;
    private GitArtifacts artifacts;
    /** Where Kustomization builds run, bounded in number and each by {@code spec.timeout} ({@link BoundedBuild}). */
    private BoundedBuild builds;
    /** Whether a source in another namespace may be rendered ({@code conflux.renderer.no-cross-namespace-refs}). */
    private CrossNamespaceRefs crossNamespaceRefs;
    private java.util.function.BiFunction<String, String, Optional<HelmRepository>> helmRepositories = (ns, n) -> Optional.empty();
    @Inject
    ClusterData secrets;
    private Supplier<List<Kustomization>> kustomizations = List::of;
    private Function<ObjectKey, Optional<GitRepository>> gitRepositories = k -> Optional.empty();
    private final GitSources sources = new GitSources(key -> gitRepositories.apply(key),
            key -> Optional.ofNullable(latestRevisions.get(key)), (ns, name) -> secrets.data(ns, name));

    @PostConstruct
    void init() {
        mirror = new GitMirror(config.renderer().mirrorsDir(),
                new GitUrlRewriter(config.git().urlRewrites()), config.renderer().gitTimeout(),
                config.git().maxFetchSize().asLongValue());
        sourceTree = new SourceTree(mirror);
        tips = new SourceTip(mirror);
        renderer = new KustomizationRenderer(mirror, json);
        helmRenderer = new HelmReleaseRenderer(config.renderer().chartsDir(), config.renderer().helmTimeout(), json);
        artifacts = new GitArtifacts(client, json);
        builds = new BoundedBuild(config.renderer().buildWorkers(), config.renderer().buildQueue());
        crossNamespaceRefs = new CrossNamespaceRefs(config.renderer().noCrossNamespaceRefs());
    }

    @PreDestroy
    void stopTimer() {
        timer.shutdownNow();
        builds.close();
    }

    /**
     * Connects the coordinator to the watched HelmReleases: all of them (a new GitRepository revision re-renders those
     * whose chart it holds) and one by key (periodic re-renders).
     */
    public void useHelmReleases(Supplier<List<HelmRelease>> all, Function<ObjectKey, Optional<HelmRelease>> lookup) {
        this.allHelmReleases = all;
        this.helmReleases = lookup;
    }

    /**
     * Renders {@code key} again after {@code delay} (replacing any earlier schedule): Flux retries a failed
     * Kustomization after {@code retryInterval} and looks for new chart versions every HelmRelease {@code interval}.
     */
    private void renderAgain(ObjectKey key, Duration delay) {
        ScheduledFuture<?> next = timer.schedule(() -> {
            Uni<Void> again = switch (key.kind()) {
                case Kustomization.KIND -> kustomizations.get().stream()
                        .filter(k -> key.equals(new ObjectKey(Kustomization.KIND, k.getMetadata().getNamespace(), k.getMetadata().getName())))
                        .findFirst().map(this::onKustomizationChanged).orElse(Uni.createFrom().voidItem());
                case HelmRelease.KIND -> helmReleases.apply(key).map(this::onHelmRelease).orElse(Uni.createFrom().voidItem());
                default -> Uni.createFrom().voidItem();
            };
            again.subscribe().with(v -> { }, e -> LOG.errorf(e, "rendering %s again failed", key));
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = nextRenders.put(key.toString(), next);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /** Connects the coordinator to the watched HelmRepositories (namespace, name). */
    public void useHelmRepositories(java.util.function.BiFunction<String, String, Optional<HelmRepository>> lookup) {
        this.helmRepositories = lookup;
    }

    /** Connects the coordinator to the watched objects (the informers' caches). */
    public void useCaches(Supplier<List<Kustomization>> kustomizations,
                          Function<ObjectKey, Optional<GitRepository>> gitRepositories) {
        this.kustomizations = kustomizations;
        this.gitRepositories = gitRepositories;
    }

    /**
     * A source moved: fetches the new revision first; when it is fetched, makes it the source's latest revision and
     * renders every Kustomization referencing it, every Kustomization whose GitRepository includes it (at its own
     * latest revision), and every HelmRelease whose chart it holds. When the fetch fails (unreachable, refused
     * credentials, size or time bound, commit gone), the GitRepository turns {@code Ready=False} with its last fetched
     * artifact ({@link GitArtifacts}) and nothing is rendered: as with Flux's source-controller, the Kustomizations
     * keep their last applied revision, a source outage is not theirs. Like source-controller, which stores each
     * artifact it fetches and serves the last one through an outage, the renderer stores the artifact of each fetched
     * revision ({@link SourceArtifact}) and reads it back when a fetch fails, so that it survives a restart. The stored
     * artifact is read on every failure, not only when memory has none: another replica may have fetched since (Kafka
     * partitions move); when it cannot be read, the failure is still reported, with the artifact in memory.
     *
     * <p>Only the tip of the tracked ref is rendered ({@link SourceTip}): the fetch checks that the GitRepository's ref
     * resolves, in the mirror just fetched, to the record's revision. A record for which it does not — the ref moved on
     * after the receiver resolved it, or the record was not the receiver's (a commit of another branch or an old
     * commit named on Kafka directly, another URL) — is refused: logged, nothing rendered, no status written, and the
     * source's latest revision stays what it was. The ref's new tip is rendered when its own record comes, which the
     * receiver publishes at its next reconciliation of the source (the webhook of the push that moved the ref, or its
     * {@code interval}); the renderer never renders a commit just because a record names it.
     *
     * @return a Uni completing when the fetch's outcome is written and stored and all those renders are persisted and
     *         published
     */
    public Uni<Void> onSourceRevision(SourceRevision revision) {
        ObjectKey source = revision.sourceKey();
        AtomicBoolean fetched = new AtomicBoolean();
        return queue.submit(source.toString(), () -> runner.run(blocking -> blocking.call(() -> fetch(source, revision))
                .chain(outcome -> outcome.stale() != null ? Uni.createFrom().voidItem().invoke(() ->
                        LOG.warnf("%s: not rendering %s: %s", source, revision.revision(), outcome.stale()))
                        : outcome.fetched()
                        ? blocking.call(() -> artifacts.fetched(source, revision.url(), revision.revision(), outcome.digest()))
                                // Panache's static operations look up the session when called: build them inside the transaction.
                                .chain(artifact -> Panache.withTransaction(() ->
                                        SourceArtifact.store(source.namespace(), source.name(), artifact)))
                                .invoke(() -> fetched.set(true))
                        : Panache.withSession(() -> SourceArtifact.last(source.namespace(), source.name()))
                                .onFailure().recoverWithItem(e -> {
                                    LOG.warnf("last artifact of %s not read: %s", source, e.getMessage());
                                    return null;
                                })
                                .chain(stored -> blocking.call(() -> {
                                    if (stored != null) {
                                        artifacts.stored(source, stored.artifact());
                                    }
                                    artifacts.failed(source, revision.url(), revision.revision(), outcome.cause());
                                    return null;
                                }).replaceWithVoid()))))
                .chain(() -> fetched.get() ? renderAll(revision) : Uni.createFrom().voidItem());
    }

    /**
     * How fetching a revision went: fetched, with the {@link ArtifactDigest} of its content (null when it could not be
     * computed); or not, with the cause; or refused because the revision is not the tip of the tracked ref, with why
     * ({@code stale}, {@link SourceTip}).
     */
    private record FetchOutcome(boolean fetched, String digest, String cause, String stale) {
        static FetchOutcome failed(String cause) {
            return new FetchOutcome(false, null, cause, null);
        }
    }

    private Uni<Void> renderAll(SourceRevision revision) {
        ObjectKey source = revision.sourceKey();
        latestRevisions.merge(source, revision, (old, neu) -> neu);
        List<Uni<Void>> renders = new java.util.ArrayList<>();
        for (Kustomization k : kustomizations.get()) {
            ObjectKey own = sourceOf(k);
            if (source.equals(own)) {
                renders.add(render(k, revision.url(), revision.revision()));
            } else if (own != null && sources.includes(own, source)) {
                sources.known(own).ifPresent(at -> renders.add(render(k, at.url(), at.revision())));
            }
        }
        int kustomizationCount = renders.size();
        allHelmReleases.get().stream()
                .filter(hr -> source.equals(HelmReleaseRenderer.gitRepositoryOf(hr)))
                .forEach(hr -> renders.add(onHelmRelease(hr)));
        LOG.infof("source %s at %s: %d Kustomization(s) and %d HelmRelease(s) to render", source, revision.revision(),
                kustomizationCount, renders.size() - kustomizationCount);
        return renders.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(renders).andCollectFailures().replaceWithVoid();
    }

    /**
     * Fetches {@code revision} of {@code source} with everything it includes, as its Kustomizations will read it, and
     * computes the {@link ArtifactDigest} of the artifact content (revision, includes, ignore rules), which the caller
     * writes to {@code status.artifact.digest}; on failure the caller writes {@code Ready=False} and the last fetched
     * artifact ({@link GitArtifacts}); blocking. First checks that the revision is the tip of the tracked ref
     * ({@link SourceTip}); when it is not, nothing is read.
     *
     * @return whether the revision was fetched, and its digest or the cause of the failure, or why it was refused
     */
    private FetchOutcome fetch(ObjectKey source, SourceRevision revision) {
        String digest;
        try (java.nio.file.FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            java.nio.file.Path root = java.nio.file.Files.createDirectories(fs.getPath("/artifact/source"));
            GitSource gitSource = sources.resolve(source, revision.url(), Revision.parse(revision.revision()));
            Optional<String> stale = tips.stale(revision, gitRepositories.apply(source), gitSource);
            if (stale.isPresent()) {
                return new FetchOutcome(false, null, null, stale.get());
            }
            sourceTree.write(gitSource, root);
            digest = ArtifactDigest.of(root);
        } catch (GitException | IllegalArgumentException e) {
            return FetchOutcome.failed(e.getMessage());
        } catch (java.io.IOException e) {
            // the in-memory copy failed, not the fetch: the revision is in the mirror
            LOG.warnf("artifact digest of %s at %s not computed: %s", source, revision.revision(), e.getMessage());
            digest = null;
        }
        return new FetchOutcome(true, digest, null, null);
    }

    /** A GitRepository was seen on the cluster: its status may name the last artifact fetched before a restart. */
    public void onGitRepository(GitRepository repository) {
        artifacts.seen(repository);
    }

    /**
     * A GitRepository was deleted: its stored artifact and its Git mirrors go with it, as source-controller
     * garbage-collects a deleted object's artifacts, so that a GitRepository created again under the name never
     * inherits it and the disk does not keep what no object reads.
     *
     * @return a Uni completing when the artifact is forgotten in memory and deleted from the database, and the mirrors
     *         are deleted (a mirror that cannot be deleted is logged)
     */
    public Uni<Void> onGitRepositoryDeleted(GitRepository repository) {
        ObjectKey source = new ObjectKey(GitRepository.KIND, repository.getMetadata().getNamespace(),
                repository.getMetadata().getName());
        return queue.submit(source.toString(), () -> runner.run(blocking -> {
            artifacts.forget(source);
            return Panache.withTransaction(() -> SourceArtifact.forget(source.namespace(), source.name()))
                    .chain(() -> blocking.call(() -> {
                        try {
                            mirror.forget(source);
                        } catch (GitException e) {
                            LOG.warnf("mirrors of %s not deleted: %s", source, e.getMessage());
                        }
                        return null;
                    }))
                    .replaceWithVoid();
        }));
    }

    /** @return the revision of {@code source} its Kustomizations render at now, if one is known */
    Optional<String> knownRevision(ObjectKey source) {
        return sources.known(source).map(GitSources.At::revision);
    }

    /** A Kustomization was created or changed: renders it at its source's latest known revision, if any. */
    public Uni<Void> onKustomizationChanged(Kustomization k) {
        ObjectKey source = sourceOf(k);
        if (source == null) {
            return publishFailure(k, null, FluxReasons.ARTIFACT_FAILED,
                    "source kind '" + k.getSpec().sourceRef().kind() + "' is not supported; use GitRepository");
        }
        Optional<String> denied = crossNamespaceRefs.refused(k);
        if (denied.isPresent()) {
            return publishFailure(k, null, CrossNamespaceRefs.ACCESS_DENIED, denied.get());
        }
        return sources.known(source)
                .map(at -> render(k, at.url(), at.revision()))
                .orElseGet(() -> {
                    LOG.debugf("%s waits for a revision of %s", key(k), source);
                    return Uni.createFrom().voidItem();
                });
    }

    /**
     * A HelmRelease was created or changed (or is due for its interval, or the GitRepository holding its chart moved):
     * renders its chart, and publishes the result unless the same chart version was already rendered for this
     * generation with the same values (helm-controller upgrades when the values digest changes, e.g. a
     * {@code valuesFrom} ConfigMap edited, seen at the next interval). A chart from a GitRepository with no known
     * revision waits for one, as Kustomizations do.
     */
    public Uni<Void> onHelmRelease(HelmRelease hr) {
        if (hr.getSpec() != null && Boolean.TRUE.equals(hr.getSpec().suspend())) {
            return Uni.createFrom().voidItem();
        }
        Optional<String> denied = crossNamespaceRefs.refused(hr);
        if (denied.isPresent()) {
            return publishFailure(hr, null, CrossNamespaceRefs.ACCESS_DENIED, denied.get());
        }
        ObjectKey gitSource = HelmReleaseRenderer.gitRepositoryOf(hr);
        if (gitSource != null && sources.known(gitSource).isEmpty()) {
            LOG.debugf("%s waits for a revision of %s", key(hr), gitSource);
            return Uni.createFrom().voidItem();
        }
        HelmReleaseRenderer.ChartSources sources = new HelmReleaseRenderer.ChartSources(helmRepositories, this::checkout);
        String objectKey = key(hr);
        long generation = generation(hr);
        String requestedAt = requestedAt(hr);
        return queue.submit(objectKey, () -> runner.run(blocking ->
                blocking.call(() -> helmRenderer.render(hr, sources, secrets::data, secrets::configMapData))
                        .invoke(rendered -> renderAgain(ObjectKey.parse(objectKey),
                                GoDuration.parseOr(hr.getSpec().interval(), DEFAULT_INTERVAL)))
                        .chain(rendered -> {
                            String revision = rendered.revision() == null ? "" : rendered.revision();
                            String inputDigest = rendered.configDigest() == null ? "" : rendered.configDigest();
                            return Panache.withSession(() -> RenderRecord.settled(objectKey, generation, revision, requestedAt, "", inputDigest))
                                    .chain(settled -> settled ? Uni.createFrom().voidItem()
                                            : record(objectKey, generation, revision, requestedAt, "", inputDigest, rendered.outcome()));
                        })));
    }

    private Uni<Void> render(Kustomization k, String url, String revisionText) {
        if (k.getSpec().suspended()) {
            LOG.infof("%s is suspended, not rendering %s", key(k), revisionText);
            return Uni.createFrom().voidItem();
        }
        Optional<String> denied = crossNamespaceRefs.refused(k);
        if (denied.isPresent()) {
            return publishFailure(k, revisionText, CrossNamespaceRefs.ACCESS_DENIED, denied.get());
        }
        String objectKey = key(k);
        long generation = generation(k);
        String requestedAt = requestedAt(k);
        String included = sources.includedRevisions(sourceOf(k));
        String ns = k.getMetadata().getNamespace();
        PostBuild.VariableSource variables = (kind, name) -> "Secret".equals(kind) ? secrets.data(ns, name)
                : secrets.configMapData(ns, name);
        Duration interval = GoDuration.parseOr(k.getSpec().interval(), DEFAULT_INTERVAL);
        return queue.submit(objectKey, () -> runner.run(blocking ->
                blocking.call(() -> ClusterInputs.digest(k.getSpec(), variables)).chain(inputDigest ->
                Panache.withSession(() -> RenderRecord.settled(objectKey, generation, revisionText, requestedAt, included, inputDigest))
                        .chain(settled -> {
                            if (settled) {
                                LOG.debugf("%s at %s already rendered", objectKey, revisionText);
                                // Flux rebuilds every interval: look again then, in case the cluster inputs change.
                                renderAgain(ObjectKey.parse(objectKey), interval);
                                return Uni.createFrom().voidItem();
                            }
                            LOG.debugf("%s: rendering %s", objectKey, revisionText);
                            return blocking.call(() -> renderAt(k, url, revisionText, variables))
                                    .invoke(outcome -> renderAgain(ObjectKey.parse(objectKey), outcome.deterministic()
                                            ? interval : GoDuration.parseOr(k.getSpec().retryInterval(), interval)))
                                    .invoke(outcome -> LOG.debugf("%s: rendered, recording", objectKey))
                                    .chain(outcome -> record(objectKey, generation, revisionText, requestedAt, included,
                                            inputDigest, outcome));
                        }))));
    }

    /**
     * Renders {@code k} at its GitRepository's {@code revisionText} with everything it includes, bounded by
     * {@code spec.timeout} ({@link BoundedBuild}); blocking.
     */
    private RenderOutcome renderAt(Kustomization k, String url, String revisionText, PostBuild.VariableSource variables) {
        ObjectKey source = sourceOf(k);
        GitSource gitSource;
        try {
            gitSource = sources.resolve(source, url, Revision.parse(revisionText));
        } catch (GitException | IllegalArgumentException e) {
            return RenderOutcome.failed(FluxReasons.ARTIFACT_FAILED, e.getMessage());
        }
        Duration timeout = GoDuration.parseOr(k.getSpec().timeout(), GoDuration.parseOr(k.getSpec().interval(), DEFAULT_INTERVAL));
        return builds.within(key(k), timeout, () -> renderer.render(gitSource, k.getSpec(), variables));
    }

    private Uni<Void> publishFailure(HasMetadata object, String revision, String reason, String message) {
        String objectKey = key(object);
        long generation = generation(object);
        String requestedAt = requestedAt(object);
        String rev = revision == null ? "" : revision;
        return queue.submit(objectKey, () -> runner.run(blocking ->
                Panache.withSession(() -> RenderRecord.settled(objectKey, generation, rev, requestedAt, "", ""))
                        .chain(settled -> settled ? Uni.createFrom().voidItem()
                                : record(objectKey, generation, rev, requestedAt, RenderOutcome.failed(reason, message)))));
    }

    private Uni<Void> record(String objectKey, long generation, String revision, String requestedAt, RenderOutcome outcome) {
        return record(objectKey, generation, revision, requestedAt, "", "", outcome);
    }

    private Uni<Void> record(String objectKey, long generation, String revision, String requestedAt,
                             String includedRevisions, String inputDigest, RenderOutcome rendered) {
        // a bundle that may not be stored (a Secret and no encryption key) fails the render, retried once keys are set
        RenderOutcome outcome = rendered.bundle() == null ? rendered : bundleStore.refusal(rendered.bundle().content())
                .map(why -> RenderOutcome.retryable(BUNDLE_NOT_STORED, why)).orElse(rendered);
        RenderRecord r = new RenderRecord();
        r.inputDigest = inputDigest;
        r.objectKey = objectKey;
        r.generation = generation;
        r.sourceRevision = revision;
        r.requestedAt = requestedAt;
        r.includedRevisions = includedRevisions;
        r.bundleDigest = outcome.bundle() == null ? null : outcome.bundle().digest();
        r.reason = outcome.reason();
        r.error = outcome.message();
        r.deterministic = outcome.deterministic();
        r.renderedAt = OffsetDateTime.now(ZoneOffset.UTC);
        RenderResult result = new RenderResult(objectKey, generation, revision.isEmpty() ? null : revision,
                r.bundleDigest, outcome.bundle() == null ? null : outcome.bundle().objectCount(),
                outcome.reason(), outcome.message(), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), null);
        if (outcome.bundle() != null) {
            LOG.infof("%s rendered at %s: %d objects, %s", objectKey, revision, outcome.bundle().objectCount(), r.bundleDigest);
        } else {
            LOG.warnf("%s failed to render at %s: %s", objectKey, revision, outcome.message());
        }
        Bundle bundle = outcome.bundle();
        // Panache's static operations look up the session when called: build them inside the transaction.
        return Panache.withTransaction(() -> (bundle == null ? Uni.createFrom().voidItem()
                        : bundleStore.store(bundle.digest(), bundle.content(), bundle.objectCount()))
                        .chain(() -> r.persistAndFlush())
                        .chain(() -> bundle == null ? Uni.createFrom().voidItem() : bundleStore.prune(objectKey).replaceWithVoid()))
                .invoke(() -> LOG.debugf("%s: recorded, publishing", objectKey))
                .chain(() -> producer.send(result));
    }

    /**
     * Writes the latest known revision of a GitRepository under {@code root}, as Kustomizations of it read it: its
     * credentials, timeout, includes and ignore rules ({@link GitSources}, {@link SourceTree}); blocking.
     *
     * @return the revision written, empty when none is known
     */
    private Optional<Revision> checkout(ObjectKey source, java.nio.file.Path root) {
        Optional<GitSources.At> known = sources.known(source);
        if (known.isEmpty()) {
            return Optional.empty();
        }
        Revision revision = Revision.parse(known.get().revision());
        sourceTree.write(sources.resolve(source, known.get().url(), revision), root);
        return Optional.of(revision);
    }

    static ObjectKey sourceOf(Kustomization k) {
        var ref = k.getSpec().sourceRef();
        if (ref == null || !GitRepository.KIND.equals(ref.kind())) {
            return null;
        }
        return new ObjectKey(GitRepository.KIND, ref.namespaceOr(k.getMetadata().getNamespace()), ref.name());
    }

    static String key(HasMetadata o) {
        return new ObjectKey(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName()).toString();
    }

    private static long generation(HasMetadata o) {
        Long g = o.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    private static String requestedAt(HasMetadata o) {
        Map<String, String> annotations = o.getMetadata().getAnnotations();
        String v = annotations == null ? null : annotations.get(Kustomization.REQUESTED_AT_ANNOTATION);
        return v == null ? "" : v;
    }
}
