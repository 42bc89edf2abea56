package io.conflux.applier.reconcile;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.applier.apply.ApplyOptions;
import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.Change;
import io.conflux.applier.apply.HealthChecker;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ObjectApplier;
import io.conflux.applier.apply.ReleaseNamespace;
import io.conflux.applier.apply.TargetClusters;
import io.conflux.applier.persist.BundleReader;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.applier.release.HelmReasons;
import io.conflux.applier.release.ReleaseAction;
import io.conflux.applier.release.ReleaseCounters;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.applier.release.ReleaseRun;
import io.conflux.applier.release.Remediation;
import io.conflux.applier.produce.EventProducer;
import io.conflux.model.kustomize.ResourceInventory;
import io.conflux.model.kustomize.ResourceInventory.ResourceRef;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.CrossNamespaceObjectReference;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.FluxEvent;
import io.conflux.model.topic.RenderResult;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.ReactiveRunner.Blocking;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reconciles one object from its desired state, split into kustomize-controller's steps: record the render
 * result; stop at a render failure (Ready=False with the render's reason and message, nothing pruned); wait for
 * {@code dependsOn} (Ready=False {@code DependencyNotReady}); skip a bundle already applied; apply and prune on
 * the target cluster (as {@code spec.serviceAccountName}, if any); persist inventory and history; write status; emit
 * one event for the outcome. A HelmRelease's new bundle is released with helm-controller's install/upgrade
 * remediation ({@link ReleaseRun}). Applying and waiting for health happen outside any database session: the state
 * is read in one short session and the outcome recorded in one transaction afterwards.
 * Work on one object is serialized; objects proceed in parallel.
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    @Inject
    ReactiveRunner runner;
    @Inject
    BundleReader bundles;
    @Inject
    StatusWriter statusWriter;
    @Inject
    EventProducer events;
    @Inject
    KubernetesClient client;
    @Inject
    ApplierConfig config;
    @Inject
    ObjectMapper json;

    private final KeyedSerialQueue queue = new KeyedSerialQueue();
    private final Map<ObjectKey, ScheduledFuture<?>> nextRuns = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;
    private TargetClusters targets;
    private Function<ObjectKey, Optional<Reconcilable>> lookup = k -> Optional.empty();
    private Supplier<List<Reconcilable>> all = List::of;

    @PostConstruct
    void init() {
        targets = new TargetClusters(client, config.defaultServiceAccount(), config.insecureKubeconfigExec());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conflux-reconcile-timer");
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
        targets.close();
    }

    /** Connects the reconciler to the watched objects (the informers' caches). */
    public void useCaches(Function<ObjectKey, Optional<Reconcilable>> lookup, Supplier<List<Reconcilable>> all) {
        this.lookup = lookup;
        this.all = all;
    }

    /**
     * Records a render result as the object's desired state, then reconciles the object in the background (after any
     * run of the same object in progress). The returned Uni completes once the desired state is stored, not when the
     * reconcile is done: a Kustomization waiting minutes for health must not hold up the render results of others
     * behind it in the same partition. Nothing is lost by acknowledging early — a restarted applier reconciles every
     * object it watches against its stored desired state ({@link #onObserved}).
     *
     * @return a Uni completing when the desired state is persisted
     */
    public Uni<Void> onRenderResult(RenderResult result) {
        ObjectKey key = result.objectKey();
        return runner.run(blocking -> Panache.withTransaction(() -> DesiredState.record(result)).replaceWithVoid())
                .invoke(() -> reconcileSoon(key, "render result"));
    }

    /**
     * An object was seen for the first time by this applier (created, or listed at start-up): reconciles it against
     * its stored desired state, if it has one — as Flux's controllers reconcile every object when they start.
     */
    public void onObserved(ObjectKey key) {
        reconcileSoon(key, "start-up");
    }

    private void reconcileSoon(ObjectKey key, String why) {
        queue.submit(key.toString(), () -> runner.run(blocking -> reconcile(key, blocking)))
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "reconciling %s after %s failed", key, why));
    }

    /** An object turned Ready: reconciles the objects that depend on it, at once. */
    public void onReady(ObjectKey key) {
        for (Reconcilable dependent : DependencyCheck.dependents(key, all.get())) {
            LOG.infof("%s is ready: reconciling dependent %s", key, dependent.key());
            reconcileSoon(dependent.key(), key + " turning ready");
        }
    }

    /**
     * An object was deleted: as Flux's finalizers do, a HelmRelease's objects and (with {@code prune: true}) a
     * Kustomization's objects are deleted from the target cluster (as its service account, if any), and its desired
     * state, inventory and release state forgotten. The deletes run outside any database session.
     *
     * @param last the object's last known state
     */
    public void onDeleted(Reconcilable last) {
        ObjectKey key = last.key();
        ScheduledFuture<?> next = nextRuns.remove(key);
        if (next != null) {
            next.cancel(false);
        }
        queue.submit(key.toString(), () -> runner.run(blocking ->
                Panache.withSession(() -> InventoryRecord.<InventoryRecord>findById(key.toString()))
                        .chain(inventory -> {
                            List<InventoryEntry> owned = previousInventory(last, inventory);
                            return !last.prune() || owned.isEmpty() ? Uni.createFrom().item(ApplyResult.of(List.of(), owned, null))
                                    : blocking.call(() -> {
                                        try (TargetClusters.Lease target = targets.forObject(key.namespace(), last.kubeConfig(),
                                                last.serviceAccountName())) {
                                            return new ObjectApplier(target.client(), config.fieldManager())
                                                    .apply(List.of(), last.ownerLabels(), owned, true);
                                        }
                                    });
                        })
                        .chain(result -> {
                            LOG.infof("%s deleted: %s", key, result.succeeded() ? result.changeSet().replace('\n', ';') : result.error());
                            return Panache.withTransaction(() -> InventoryRecord.deleteById(key.toString())
                                    .chain(() -> DesiredState.deleteById(key.toString()))
                                    .chain(() -> ReleaseState.deleteById(key.toString()))).replaceWithVoid();
                        })))
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "garbage collection of %s failed", key));
    }

    /**
     * Schedules the next run of {@code key} after {@code delay}, replacing any scheduled one.
     */
    private void scheduleIn(ObjectKey key, Duration delay) {
        ScheduledFuture<?> next = timer.schedule(() -> queue.submit(key.toString(),
                        () -> runner.run(blocking -> reconcile(key, blocking, true)))
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "periodic reconcile of %s failed", key)),
                delay.toMillis(), TimeUnit.MILLISECONDS);
        ScheduledFuture<?> previous = nextRuns.put(key, next);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    /**
     * Schedules the next run of {@code key}: after {@code spec.interval} when it succeeded (re-applying corrects drift),
     * after {@code spec.retryInterval} (default: the interval) when it failed — Flux's requeue rules.
     */
    private void scheduleNext(ObjectKey key, Reconcilable r, boolean succeeded) {
        scheduleIn(key, nextRunIn(r, succeeded));
    }

    /**
     * kustomize-controller's requeue: {@code spec.interval} after a success, {@code spec.retryInterval} (defaulting to
     * the interval) after a failed apply or health check; 10m when the interval is missing.
     *
     * @return the time until the next run of {@code r}
     */
    static Duration nextRunIn(Reconcilable r, boolean succeeded) {
        Duration interval = GoDuration.parseOr(r.interval(), DEFAULT_INTERVAL);
        return succeeded ? interval : GoDuration.parseOr(r.retryInterval(), interval);
    }

    private void unschedule(ObjectKey key) {
        ScheduledFuture<?> next = nextRuns.remove(key);
        if (next != null) {
            next.cancel(false);
        }
    }

    private Uni<Void> reconcile(ObjectKey key, Blocking blocking) {
        return reconcile(key, blocking, false);
    }

    /** What one short session read: the desired state, the inventory, a HelmRelease's release state. */
    private record Loaded(DesiredState desired, InventoryRecord inventory, ReleaseState release) {
    }

    /** The bundles to apply: the desired one, and for a HelmRelease upgrade the last released one (rollback). */
    private record Contents(String desired, String lastGood) {
    }

    /**
     * One reconciliation in three steps, so that nothing waits on the cluster while holding a database session:
     * read (one short session), apply and wait for health (worker thread, no session), record (one transaction),
     * then status and event.
     */
    private Uni<Void> reconcile(ObjectKey key, Blocking blocking, boolean periodic) {
        Optional<Reconcilable> found = lookup.apply(key);
        if (found.isEmpty()) {
            LOG.debugf("%s no longer exists", key);
            return Uni.createFrom().voidItem();
        }
        Reconcilable r = found.get();
        long started = System.nanoTime();
        boolean release = r.object() instanceof HelmRelease;
        return Panache.withSession(() -> DesiredState.<DesiredState>findById(key.toString()).chain(desired -> desired == null
                ? Uni.createFrom().<Loaded>nullItem()
                : InventoryRecord.<InventoryRecord>findById(key.toString()).chain(inventory -> (release
                        ? ReleaseState.<ReleaseState>findById(key.toString()) : Uni.createFrom().<ReleaseState>nullItem())
                        .map(state -> new Loaded(desired, inventory, state)))))
                .chain(loaded -> loaded == null ? Uni.createFrom().voidItem() : decide(r, loaded, started, blocking, periodic));
    }

    private Uni<Void> decide(Reconcilable r, Loaded loaded, long started, Blocking blocking, boolean periodic) {
        ObjectKey key = r.key();
        DesiredState desired = loaded.desired();
        InventoryRecord inventory = loaded.inventory();
        if (desired.generation < r.generation()) {
            return Uni.createFrom().voidItem();
        }
        if (r.suspended()) {
            LOG.infof("%s is suspended", key);
            return Uni.createFrom().voidItem();
        }
        Optional<FailedAttempt.Cause> stopped = FailedAttempt.before(r, desired, lookup);
        if (stopped.isPresent()) {
            return fail(r, desired, stopped.get(), started, blocking);
        }
        boolean released = inventory != null && desired.bundleDigest.equals(inventory.appliedDigest)
                && inventory.appliedGeneration == desired.generation;
        if (r.object() instanceof HelmRelease hr && !released) {
            return release(r, hr, loaded, started, blocking);
        }
        if (!periodic && alreadyApplied(r, desired, inventory)) {
            LOG.debugf("%s already applied %s", key, desired.bundleDigest);
            return Uni.createFrom().voidItem();
        }
        String successReason = r.object() instanceof HelmRelease && loaded.release() != null
                && ReleaseAction.INSTALL.toString().equals(loaded.release().lastAction) ? HelmReasons.INSTALL_SUCCEEDED
                : r.object() instanceof HelmRelease ? HelmReasons.UPGRADE_SUCCEEDED : FluxReasons.RECONCILIATION_SUCCEEDED;
        return Panache.withSession(() -> bundles.content(desired.bundleDigest))
                .chain(content -> blocking.call(() -> apply(r, content, previousInventory(r, inventory))))
                .chain(result -> finish(r, desired, inventory, result, successReason, started, blocking, periodic));
    }

    private ApplyResult apply(Reconcilable r, String content, List<InventoryEntry> previous) {
        // spec.timeout bounds the apply stages and the health checks together, as one deadline
        java.time.Instant deadline = java.time.Instant.now().plus(timeout(r));
        List<Map<String, Object>> objects = parse(content);
        TargetClusters.Lease lease;
        try {
            lease = targets.forObject(r.key().namespace(), r.kubeConfig(), r.serviceAccountName());
        } catch (IllegalStateException | KubernetesClientException e) {
            return ApplyResult.of(List.of(), previous, e.getMessage());
        }
        try (lease) {
            return apply(r, lease.client(), objects, previous, deadline);
        }
    }

    /** Applies, prunes and checks health on {@code target}, held by a lease for the whole attempt. */
    private ApplyResult apply(Reconcilable r, KubernetesClient target, List<Map<String, Object>> objects,
                              List<InventoryEntry> previous, java.time.Instant deadline) {
        ApplyResult applied;
        try {
            if (r.object() instanceof HelmRelease hr) {
                ReleaseNamespace.ensure(target, hr);
            }
            applied = new ObjectApplier(target, config.fieldManager()).apply(objects, r.ownerLabels(), previous,
                    new ApplyOptions(r.prune(), r.force(), remaining(deadline), r.object() instanceof Kustomization,
                            config.healthPollInterval()));
        } catch (IllegalStateException | KubernetesClientException e) {
            return ApplyResult.of(List.of(), previous, e.getMessage());
        }
        if (!applied.succeeded()) {
            return applied;
        }
        try {
            return checkHealth(r, target, applied, deadline);
        } catch (KubernetesClientException e) {
            return applied.failedWith(FluxReasons.HEALTH_CHECK_FAILED, "health check failed: " + message(e));
        }
    }

    /**
     * Flux's {@code wait} (every applied object) and {@code healthChecks} (named objects, {@code name: '*'} for every
     * object of the kind in the namespace): waits until {@code deadline} (the start of the apply plus
     * {@code spec.timeout}, default: the interval) for them to be Current; a timeout fails the attempt with
     * {@code HealthCheckFailed}. Blocking, outside any database session.
     */
    private ApplyResult checkHealth(Reconcilable r, KubernetesClient target, ApplyResult applied, java.time.Instant deadline) {
        if (!(r.object() instanceof Kustomization k)) {
            return applied;
        }
        boolean waitAll = Boolean.TRUE.equals(k.getSpec().waitForResources());
        List<CrossNamespaceObjectReference> checks = k.getSpec().healthChecks() == null ? List.of() : k.getSpec().healthChecks();
        if (!waitAll && checks.isEmpty()) {
            return applied;
        }
        List<InventoryEntry> objects = new ArrayList<>(waitAll ? applied.inventory() : List.of());
        for (CrossNamespaceObjectReference c : checks) {
            String namespace = c.namespaceOr(r.key().namespace());
            if ("*".equals(c.name())) {
                var kind = target.genericKubernetesResources(c.apiVersion(), c.kind());
                for (var item : kind.inNamespace(namespace).list().getItems()) {
                    objects.add(InventoryEntry.of(c.apiVersion(), c.kind(), namespace, item.getMetadata().getName()));
                }
            } else {
                objects.add(InventoryEntry.of(c.apiVersion(), c.kind(), namespace, c.name()));
            }
        }
        Duration timeout = timeout(r);
        return new HealthChecker(target, config.healthPollInterval()).await(objects, remaining(deadline))
                .map(message -> applied.failedWith(FluxReasons.HEALTH_CHECK_FAILED, "health check failed after "
                        + GoDuration.format(timeout) + ": " + message))
                .orElse(applied);
    }

    /**
     * A HelmRelease whose bundle is not released yet: helm-controller's install/upgrade with remediation
     * ({@link ReleaseRun}), counters per generation and bundle; retries exhausted means nothing more happens until the
     * spec, chart or values change.
     */
    private Uni<Void> release(Reconcilable r, HelmRelease hr, Loaded loaded, long started, Blocking blocking) {
        ObjectKey key = r.key();
        DesiredState desired = loaded.desired();
        InventoryRecord inventory = loaded.inventory();
        ReleaseState state = loaded.release() != null ? loaded.release() : new ReleaseState();
        boolean stored = loaded.release() != null;
        if (!state.isFor(desired.generation, desired.bundleDigest)) {
            state.reset(key.toString(), desired.generation, desired.bundleDigest);
        }
        if (state.stalled) {
            LOG.debugf("%s: retries exhausted for generation %d and %s", key, desired.generation, desired.bundleDigest);
            unschedule(key);
            return Uni.createFrom().voidItem();
        }
        Remediation install;
        Remediation upgrade;
        try {
            install = Remediation.install(hr.getSpec().install());
            upgrade = Remediation.upgrade(hr.getSpec().upgrade());
        } catch (IllegalArgumentException e) {
            return fail(r, desired, new FailedAttempt.Cause(FluxReasons.RECONCILIATION_FAILED, "HelmRelease "
                    + key.namespace() + "/" + key.name() + ": " + e.getMessage(), true), started, blocking);
        }
        ReleaseAction action = inventory == null || inventory.appliedDigest == null ? ReleaseAction.INSTALL : ReleaseAction.UPGRADE;
        boolean rollback = action == ReleaseAction.UPGRADE && Remediation.ROLLBACK.equals(upgrade.strategy());
        ReleaseCounters counters = state.counters();
        return Panache.withSession(() -> bundles.content(desired.bundleDigest).chain(content -> rollback
                        ? bundles.content(inventory.appliedDigest)
                                .onFailure(IllegalStateException.class).recoverWithNull() // gone: the rollback fails, named
                                .map(lastGood -> new Contents(content, lastGood))
                        : Uni.createFrom().item(new Contents(content, null))))
                .chain(contents -> blocking.call(() -> {
                    List<InventoryEntry> previous = previousInventory(r, inventory);
                    try (TargetClusters.Lease lease = targets.forObject(key.namespace(), r.kubeConfig(), r.serviceAccountName())) {
                        KubernetesClient target = lease.client();
                        ReleaseNamespace.ensure(target, hr);
                        return new ReleaseRun(new ObjectApplier(target, config.fieldManager()), r.ownerLabels(), timeout(r))
                                .run(action, parse(contents.desired()), contents.lastGood() == null ? null : parse(contents.lastGood()),
                                        previous, counters, install, upgrade);
                    } catch (IllegalStateException | KubernetesClientException e) {
                        ApplyResult failed = ApplyResult.of(List.of(), previous, e.getMessage());
                        ReleaseCounters after = counters.failed(action);
                        return new ReleaseOutcome(action, failed, null, null, after,
                                (action == ReleaseAction.INSTALL ? install : upgrade).canRetry(after.of(action)), false);
                    }
                }))
                .chain(outcome -> finishRelease(r, desired, inventory, state, stored, outcome, started, blocking));
    }

    private Uni<Void> finishRelease(Reconcilable r, DesiredState desired, InventoryRecord inventory, ReleaseState state,
                                    boolean stored, ReleaseOutcome outcome, long started, Blocking blocking) {
        ObjectKey key = r.key();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String release = releaseName((HelmRelease) r.object());
        String revision = desired.sourceRevision;
        String releaseMessage = outcome.releaseMessage(release, revision);
        String remediationMessage = outcome.remediationMessage(release, inventory == null ? null : inventory.appliedRevision);
        long generation = desired.generation;

        InventoryRecord record = inventory == null ? new InventoryRecord() : inventory;
        record.objectKey = key.toString();
        record.entries = toJson(outcome.inventory().stream().map(InventoryEntry::toRef).toList());
        if (outcome.released()) {
            record.appliedDigest = desired.bundleDigest;
            record.appliedGeneration = generation;
            record.appliedRevision = revision;
        } else if (outcome.uninstalled()) {
            record.appliedDigest = null;
            record.appliedGeneration = 0;
            record.appliedRevision = null;
        }
        record.updatedAt = OffsetDateTime.now();
        state.lastAction = outcome.action().toString();
        state.count(outcome.counters());
        state.stalled = outcome.stalled();
        state.updatedAt = OffsetDateTime.now();

        List<ReconcileHistory> rows = new ArrayList<>();
        ReconcileHistory attempt = history(key, desired, outcome.releaseReason(), outcome.released(), releaseMessage, took);
        counts(attempt, outcome.attempt());
        rows.add(attempt);
        if (outcome.remediation() != null) {
            ReconcileHistory remediated = history(key, desired, outcome.remediationReason(), false, remediationMessage, took);
            counts(remediated, outcome.remediation());
            rows.add(remediated);
        }

        List<Condition> conditions = Conditions.set(conditions(r), condition(HelmReasons.RELEASED, outcome.released(),
                generation, outcome.releaseReason(), releaseMessage));
        if (outcome.remediation() != null) {
            conditions = Conditions.set(conditions, condition(HelmReasons.REMEDIATED, outcome.remediation().succeeded(),
                    generation, outcome.remediationReason(), remediationMessage));
        } else if (outcome.released()) {
            conditions = without(conditions, HelmReasons.REMEDIATED);
        }
        conditions = outcome.stalled()
                ? Conditions.set(conditions, condition(HelmReasons.STALLED, true, generation, HelmReasons.RETRIES_EXCEEDED,
                        outcome.stalledMessage()))
                : without(conditions, HelmReasons.STALLED);
        String readyMessage = outcome.released() || remediationMessage == null ? releaseMessage : remediationMessage;
        conditions = Conditions.set(conditions, Conditions.ready(outcome.released(), generation, outcome.readyReason(), readyMessage));

        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", generation);
        status.put("conditions", conditions);
        status.put("lastAttemptedRevision", revision);
        status.put("lastAttemptedGeneration", generation);
        status.put("lastAttemptedReleaseAction", outcome.action().toString());
        if (outcome.released()) {
            status.put("lastAppliedRevision", revision);
        }
        status.put("failures", outcome.counters().failures());
        status.put("installFailures", outcome.counters().installFailures());
        status.put("upgradeFailures", outcome.counters().upgradeFailures());
        if (r.requestedAt() != null) {
            status.put("lastHandledReconcileAt", r.requestedAt());
        }
        status.put("inventory", new ResourceInventory(outcome.inventory().stream().map(InventoryEntry::toRef).toList()));

        if (outcome.released()) {
            scheduleNext(key, r, true);
        } else if (outcome.retry()) {
            scheduleIn(key, config.releaseRetryInterval());
        } else {
            unschedule(key);
        }
        LOG.infof("%s %s at %s: %s%s", key, outcome.readyReason(), revision, releaseMessage.replace('\n', ';'),
                remediationMessage == null ? "" : "; " + remediationMessage);
        Uni<Void> written = Panache.withTransaction(() -> Panache.getSession().chain(s ->
                        (inventory == null ? record.persist() : s.merge(record))
                                .chain(() -> stored ? s.merge(state) : state.persist())
                                .chain(() -> persistInOrder(rows))))
                .chain(() -> blocking.call(() -> {
                    statusWriter.patch(key, status);
                    return null;
                }))
                .chain(() -> events.send(event(r.object(), outcome.released() ? FluxEvent.INFO : FluxEvent.ERROR,
                        outcome.releaseReason(), releaseMessage, revision)));
        if (outcome.remediation() == null) {
            return written;
        }
        return written.chain(() -> events.send(event(r.object(), outcome.remediation().succeeded() ? FluxEvent.INFO
                : FluxEvent.ERROR, outcome.remediationReason(), remediationMessage, revision)));
    }

    private Uni<Void> finish(Reconcilable r, DesiredState desired, InventoryRecord inventory, ApplyResult result,
                             String successReason, long started, Blocking blocking, boolean periodic) {
        ObjectKey key = r.key();
        scheduleNext(key, r, result.succeeded());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String revision = desired.sourceRevision;
        String reason = result.succeeded() ? successReason : result.reason();
        String readyMessage = result.succeeded() ? "Applied revision: " + revision : result.error();
        InventoryRecord record = inventory == null ? new InventoryRecord() : inventory;
        record.objectKey = key.toString();
        record.entries = toJson(result.inventory().stream().map(InventoryEntry::toRef).toList());
        if (result.succeeded()) {
            record.appliedDigest = desired.bundleDigest;
            record.appliedGeneration = desired.generation;
            record.appliedRevision = revision;
        }
        record.updatedAt = OffsetDateTime.now();
        ReconcileHistory history = history(key, desired, reason, result.succeeded(), readyMessage, took);
        counts(history, result);

        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", desired.generation);
        status.put("conditions", Conditions.set(conditions(r),
                Conditions.ready(result.succeeded(), desired.generation, reason, readyMessage)));
        status.put("lastAttemptedRevision", revision);
        if (result.succeeded()) {
            status.put("lastAppliedRevision", revision);
        }
        String requestedAt = r.requestedAt();
        if (requestedAt != null) {
            status.put("lastHandledReconcileAt", requestedAt);
        }
        status.put("inventory", new ResourceInventory(result.inventory().stream().map(InventoryEntry::toRef).toList()));

        String interval = GoDuration.format(GoDuration.parseOr(r.interval(), DEFAULT_INTERVAL));
        String finished = "Reconciliation finished in " + GoDuration.format(took.plusMillis(999).truncatedTo(ChronoUnit.SECONDS))
                + ", next run in " + interval;
        String eventMessage = result.succeeded()
                ? (result.changeSet().isEmpty() ? finished : result.changeSet() + "\n" + finished)
                : result.error();
        if (periodic && result.succeeded() && result.changeSet().isEmpty()
                && Conditions.isReady(conditions(r), desired.generation)) {
            LOG.debugf("%s: no drift", key);
            return Panache.withTransaction(() -> history.persist()).replaceWithVoid();
        }
        if (periodic && result.succeeded() && !result.changeSet().isEmpty()) {
            history.message = "drift corrected: " + result.drift();
        }
        LOG.infof("%s %s at %s: %s", key, reason, revision, eventMessage.replace('\n', ';'));
        return Panache.withTransaction(() -> Panache.getSession().chain(s ->
                        (inventory == null ? record.persist() : s.merge(record)).chain(history::persist)))
                .chain(() -> blocking.call(() -> {
                    statusWriter.patch(key, status);
                    return null;
                }))
                .chain(() -> events.send(event(r.object(), result.succeeded() ? FluxEvent.INFO : FluxEvent.ERROR, reason, eventMessage, revision)));
    }

    /**
     * Records an attempt stopped before applying ({@link FailedAttempt}): a history row always; the status (Ready=False,
     * lastAttemptedRevision, lastHandledReconcileAt) and, for causes that are events, one event — unless the object
     * already reports this very failure.
     */
    private Uni<Void> fail(Reconcilable r, DesiredState desired, FailedAttempt.Cause cause, long started, Blocking blocking) {
        ObjectKey key = r.key();
        FailedAttempt attempt = FailedAttempt.of(r, desired, cause, Duration.ofNanos(System.nanoTime() - started));
        if (attempt.repeated()) {
            LOG.debugf("%s still not ready (%s): %s", key, cause.reason(), cause.message());
        } else {
            LOG.infof("%s not ready (%s): %s", key, cause.reason(), cause.message());
        }
        Uni<Void> written = Panache.withTransaction(() -> attempt.history().persist())
                .chain(() -> attempt.status() == null ? Uni.createFrom().voidItem() : blocking.call(() -> {
                    statusWriter.patch(key, attempt.status());
                    return null;
                })).replaceWithVoid();
        return cause.emit() && !attempt.repeated()
                ? written.chain(() -> events.send(event(r.object(), FluxEvent.ERROR, cause.reason(), cause.message(),
                        desired.sourceRevision)))
                : written;
    }

    /** @return helm-controller's {@code <target namespace>/<release name>} ({@code [<targetNamespace>-]<name>} by default) */
    private static String releaseName(HelmRelease hr) {
        var s = hr.getSpec();
        String namespace = s.targetNamespace() != null ? s.targetNamespace() : hr.getMetadata().getNamespace();
        String name = s.releaseName() != null ? s.releaseName()
                : (s.targetNamespace() != null ? s.targetNamespace() + "-" : "") + hr.getMetadata().getName();
        return namespace + "/" + name;
    }

    private static Condition condition(String type, boolean status, long generation, String reason, String message) {
        return new Condition(type, status ? "True" : "False", generation, Conditions.now(), reason, message);
    }

    private static List<Condition> without(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> !type.equals(c.type())).toList();
    }

    /** Persists the rows one after the other (a reactive session runs one operation at a time). */
    private static Uni<Void> persistInOrder(List<ReconcileHistory> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ReconcileHistory h : rows) {
            chain = chain.chain(() -> h.persist()).replaceWithVoid();
        }
        return chain;
    }

    private static void counts(ReconcileHistory h, ApplyResult result) {
        h.created = (int) result.count(Change.Action.CREATED);
        h.configured = (int) result.count(Change.Action.CONFIGURED);
        h.deleted = (int) result.count(Change.Action.DELETED);
    }

    /** @return the time left until {@code deadline}, zero once it has passed */
    private static Duration remaining(java.time.Instant deadline) {
        Duration left = Duration.between(java.time.Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Duration timeout(Reconcilable r) {
        return GoDuration.parseOr(r.timeout(), GoDuration.parseOr(r.interval(), DEFAULT_INTERVAL));
    }

    private List<Map<String, Object>> parse(String content) {
        try {
            return json.readValue(content, new TypeReference<>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : java.util.Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    }

    private static boolean alreadyApplied(Reconcilable r, DesiredState desired, InventoryRecord inventory) {
        return inventory != null && desired.bundleDigest.equals(inventory.appliedDigest)
                && inventory.appliedGeneration == desired.generation
                && java.util.Objects.equals(inventory.appliedRevision, desired.sourceRevision)
                && r.status() != null && Conditions.isReady(r.status().conditions(), desired.generation)
                && java.util.Objects.equals(r.requestedAt(), r.status().lastHandledReconcileAt());
    }

    private List<InventoryEntry> previousInventory(Reconcilable r, InventoryRecord inventory) {
        List<ResourceRef> refs;
        if (inventory != null) {
            try {
                refs = json.readValue(inventory.entries, new TypeReference<>() { });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (r.status() != null && r.status().inventory() != null && r.status().inventory().entries() != null) {
            refs = r.status().inventory().entries();
        } else {
            refs = List.of();
        }
        return new ArrayList<>(refs.stream().map(InventoryEntry::fromRef).toList());
    }

    /** @return the history row of one attempt of {@code key} at {@code desired} */
    static ReconcileHistory history(ObjectKey key, DesiredState desired, String reason, boolean ready, String message, Duration took) {
        ReconcileHistory h = new ReconcileHistory();
        h.objectKey = key.toString();
        h.generation = desired.generation;
        h.sourceRevision = desired.sourceRevision;
        h.bundleDigest = desired.bundleDigest;
        h.reason = reason;
        h.ready = ready;
        h.message = message;
        h.durationMs = took.toMillis();
        h.startedAt = OffsetDateTime.now().minus(took);
        return h;
    }

    private FluxEvent event(HasMetadata object, String severity, String reason, String message, String revision) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (revision != null) {
            metadata.put(groupOf(object) + "/revision", revision);
        }
        return new FluxEvent(new FluxEvent.InvolvedObject(object.getKind(), object.getMetadata().getNamespace(),
                object.getMetadata().getName(), object.getMetadata().getUid(), object.getApiVersion(), null),
                severity, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), message, reason, metadata,
                config.reportingController(), null);
    }

    private static String groupOf(HasMetadata object) {
        String apiVersion = object.getApiVersion();
        return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : apiVersion;
    }

    private static List<Condition> conditions(Reconcilable r) {
        return r.status() == null ? null : r.status().conditions();
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
