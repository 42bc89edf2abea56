package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.BundleReader;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.StateStore;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.RenderResult;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.FluxMetrics;
import io.conflux.service.Ownership;
import io.conflux.service.PipelineMetrics;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.ReactiveRunner.Blocking;
import io.conflux.service.Requeue;
import io.conflux.service.StatusPatcher;
import io.conflux.service.Tracing;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Orchestrates the reconcile of one object in kustomize-controller's named steps, and does nothing else: load (the
 * stored desired state, inventory and release state, in one short session) → decide ({@link Decision}: stale render,
 * suspended, render failure, {@code dependsOn}, older revision, already applied) → act (the object's
 * {@link ReconcileStrategy}, blocking, outside any session) → record (the {@link Attempt}'s rows and its events,
 * through the outbox, in one transaction) → status ({@link StatusPatcher}, after that commit) → requeue (the attempt's
 * next run, whatever the outcome; a run that fails as a whole — status write refused, database error, job timeout — is
 * an error in Flux's sense, run again after the rate limiter's backoff, {@link #afterRunFailure}). Only the owner of
 * an object's key ({@link Ownership}) schedules, reconciles, finalizes and writes status for it. Work on one object is
 * serialized in a bounded queue ({@code conflux.queue.*}); objects proceed in parallel. Per object it counts the
 * attempts in a row that ended in an error ({@link Attempt#rateLimited}), the exponent of the next error's backoff
 * ({@link RetryPolicy}); like controller-runtime's rate limiter the count lives in memory only: a restarted applier,
 * or a replica newly assigned the object, runs it at once and counts from zero.
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    @Inject
    ReactiveRunner runner;
    @Inject
    StateStore store;
    @Inject
    Strategies strategies;
    @Inject
    BundleApplier applier;
    @Inject
    BundleReader bundles;
    @Inject
    StatusPatcher statusPatcher;
    @Inject
    FinalizerPatch finalizers;
    @Inject
    ApplierConfig config;
    @Inject
    Ownership ownership;
    @Inject
    Requeue requeue;
    @Inject
    FluxMetrics fluxMetrics;
    @Inject
    PipelineMetrics pipelineMetrics;
    @Inject
    Tracing tracing;
    @ConfigProperty(name = "conflux.queue.job-timeout")
    Duration jobTimeout;
    @ConfigProperty(name = "conflux.queue.max-waiting-per-key")
    int maxWaitingPerKey;

    private KeyedSerialQueue queue;
    /** Per object being finalized: how many finalizations failed in a row (the backoff's exponent). */
    private final Map<ObjectKey, Integer> finalizeFailures = new ConcurrentHashMap<>();
    /** Per object: how many attempts in a row ended in an error ({@link Attempt#rateLimited}); absent when none. */
    private final Map<ObjectKey, Integer> errors = new ConcurrentHashMap<>();
    /** {@code conflux.applier.requeue-dependency}, {@code min-retry-delay}, {@code max-retry-delay}. */
    private RetryPolicy retry;
    /** Per object, the last render result carrying a webhook's receive time, until its revision is applied. */
    private final Map<ObjectKey, RenderResult> fromWebhooks = new ConcurrentHashMap<>();
    private Function<ObjectKey, Optional<Reconcilable>> lookup = k -> Optional.empty();
    private Supplier<List<Reconcilable>> all = List::of;
    private Function<ObjectKey, List<Reconcilable>> dependents = k -> List.of();

    /**
     * Bounds the per-object queue ({@code conflux.queue.*}) and follows ownership: a newly owned object is reconciled
     * from its stored state (which re-arms its timer), an object no longer owned loses its timer and its count of
     * errors.
     *
     * @throws IllegalArgumentException when {@code conflux.applier.requeue-dependency}, {@code min-retry-delay} or
     *                                  {@code max-retry-delay} is not positive, or the maximum below the minimum
     */
    @PostConstruct
    void init() {
        retry = RetryPolicy.of(config);
        RetryPolicy.deprecatedReleaseRetryInterval(config.releaseRetryInterval()).ifPresent(LOG::warn);
        queue = new KeyedSerialQueue(jobTimeout, maxWaitingPerKey);
        ownership.onAssigned(newlyOwned -> all.get().stream().filter(r -> newlyOwned.test(r.key().toString()))
                .forEach(r -> trigger(r.key(), "assignment")));
        ownership.onRevoked(revoked -> {
            requeue.cancelIf(revoked);
            errors.keySet().removeIf(key -> revoked.test(key.toString()));
        });
    }

    /**
     * Connects the reconciler to the watched objects (the informers' caches), which hold every object, owned or not:
     * ownership is checked where work is scheduled ({@link #trigger}).
     *
     * @param lookup     the object of a key, if cached
     * @param all        every cached object (read when partitions are assigned)
     * @param dependents the cached objects whose {@code dependsOn} names a key ({@link DependencyCheck#dependencies}),
     *                   read each time an object turns Ready: from an index, not a scan of {@code all}
     */
    public void useCaches(Function<ObjectKey, Optional<Reconcilable>> lookup, Supplier<List<Reconcilable>> all,
                          Function<ObjectKey, List<Reconcilable>> dependents) {
        this.lookup = lookup;
        this.all = all;
        this.dependents = dependents;
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
        if (result.webhookReceivedAt() != null && result.sourceRevision() != null) {
            fromWebhooks.put(key, result);
        }
        return runner.run(blocking -> Panache.withTransaction(() -> DesiredState.record(result)).replaceWithVoid())
                .invoke(() -> trigger(key, "render result"));
    }

    /**
     * An object was seen for the first time by this applier (created, or listed at start-up): reconciles it against
     * its stored desired state, if it has one — as Flux's controllers reconcile every object when they start.
     */
    public void onObserved(ObjectKey key) {
        trigger(key, "start-up");
    }

    /** An object turned Ready: reconciles the objects that depend on it, at once. */
    public void onReady(ObjectKey key) {
        for (Reconcilable dependent : dependents.apply(key)) {
            LOG.infof("%s is ready: reconciling dependent %s", key, dependent.key());
            trigger(dependent.key(), key + " turning ready");
        }
    }

    /**
     * An object is being deleted ({@code metadata.deletionTimestamp} set): finalizes it now.
     */
    public void onDeleting(ObjectKey key) {
        trigger(key, "deletion");
    }

    /**
     * Runs {@code key} now, replacing its pending run; later runs are periodic (drift correction) and follow each
     * outcome's next run.
     */
    void trigger(ObjectKey key, String why) {
        if (!ownership.owns(key)) {
            LOG.debugf("%s: not owned here, %s ignored", key, why);
            return;
        }
        AtomicBoolean first = new AtomicBoolean(true);
        // every failure is recovered below; Requeue's own fallback only if the recovery itself threw
        requeue.schedule(key.toString(), Duration.ZERO, () -> Uni.createFrom().deferred(() -> {
            boolean periodic = !first.getAndSet(false);
            return runSerially(key, periodic ? "periodic run" : why, blocking -> reconcile(key, periodic, blocking));
        }).onFailure().recoverWithItem(e -> afterRunFailure(key)), retry.maxRetryDelay());
    }

    /**
     * A run of {@code key} failed as a whole (its status write refused, its record in the database failed, its job timed
     * out or found the queue full): an error returned from Flux's {@code Reconcile}, which controller-runtime requeues
     * through its rate limiter — kustomize-controller's and helm-controller's deferred status patch adds its error to
     * the returned one. Counts it as one more error in a row.
     *
     * @return the wait before the next run, {@link RetryPolicy#afterError} of the errors before this one
     */
    private Duration afterRunFailure(ObjectKey key) {
        int before = errors.getOrDefault(key, 0);
        errors.merge(key, 1, Integer::sum);
        Duration wait = retry.afterError(before);
        LOG.warnf("%s: the run failed (%d in a row), next run in %s", key, before + 1, wait);
        return wait;
    }

    /** @return when {@code key} runs next, empty when no run is scheduled */
    public Optional<java.time.Instant> nextRun(ObjectKey key) {
        return requeue.next(key.toString());
    }

    /**
     * One run of {@code key} in its serial queue, on a safe Vert.x context, as one span {@code apply} (a deletion:
     * {@code finalize}), child of the context the run was scheduled in (the render result's record, for a run it
     * triggered): the span stays current through the run, so the events it publishes carry it on to the notifier.
     */
    private Uni<Duration> runSerially(ObjectKey key, String why, Function<Blocking, Uni<Duration>> work) {
        AtomicReference<Duration> next = new AtomicReference<>();
        String span = "deletion".equals(why) ? "finalize" : "apply";
        return queue.submit(key.toString(), () -> tracing.span(span, key.toString(), () -> runner.run(work))
                        .invoke(next::set).replaceWithVoid())
                .map(v -> next.get())
                .onFailure().invoke(e -> LOG.errorf(e, "reconciling %s (%s) failed", key, why));
    }

    /**
     * One reconcile: load → decide → act → record → status → events.
     *
     * @return the time until the next run, null for none
     */
    private Uni<Duration> reconcile(ObjectKey key, boolean periodic, Blocking blocking) {
        Optional<Reconcilable> found = lookup.apply(key);
        if (found.isEmpty()) {
            LOG.debugf("%s no longer exists", key);
            return Uni.createFrom().nullItem();
        }
        Reconcilable r = found.get();
        Run run = new Run(periodic, System.nanoTime(), blocking, errors.getOrDefault(key, 0));
        if (r.deleting()) {
            return r.hasFinalizer() ? finalizeDeleted(r, run, false) : Uni.createFrom().nullItem();
        }
        Uni<Void> finalizer = r.hasFinalizer() ? Uni.createFrom().voidItem() : blocking.call(() -> {
            finalizers.add(r.object());
            return null;
        });
        return finalizer.chain(() -> store.load(key.toString()))
                .chain(stored -> stored.desired() == null ? Uni.createFrom().<Attempt>nullItem()
                        : Decision.before(r, stored, periodic, lookup, run.took(), retry, config.reportingController())
                                .map(attempt -> Uni.createFrom().item(attempt))
                                .orElseGet(() -> r.act(strategies, stored, run)))
                .chain(attempt -> attempt == null ? Uni.createFrom().<Duration>nullItem()
                        : record(r, attempt, blocking).invoke(() -> {
                            observe(r, attempt, run);
                            countErrors(key, attempt);
                        }));
    }

    /**
     * Counts an error attempt of {@code key} once it is recorded (the exponent of its next backoff); any other attempt
     * forgets the count, as controller-runtime does after a reconcile that returned no error.
     */
    private void countErrors(ObjectKey key, Attempt attempt) {
        if (attempt.rateLimited()) {
            errors.merge(key, 1, Integer::sum);
        } else {
            errors.remove(key);
        }
    }

    /**
     * Flux's {@code gotk_reconcile_duration_seconds} and {@code gotk_suspend_status} of the attempt (its conditions are
     * recorded by the {@link StatusPatcher}), and {@code conflux_webhook_to_applied_seconds} when it applied a revision
     * a webhook announced.
     */
    private void observe(Reconcilable r, Attempt attempt, Run run) {
        ObjectKey key = r.key();
        fluxMetrics.recordDuration(key, run.took());
        fluxMetrics.recordSuspend(key, r.suspended());
        RenderResult announced = fromWebhooks.get(key);
        if (announced != null && !attempt.rows().isEmpty() && attempt.rows().get(0).ready
                && announced.sourceRevision().equals(attempt.rows().get(0).sourceRevision)
                && fromWebhooks.remove(key, announced)) {
            pipelineMetrics.webhookToApplied(key.kind(), announced.webhookReceivedAt(), java.time.Instant.now());
        }
    }

    /** Records the attempt (one transaction), then writes its status and publishes its events. */
    private Uni<Duration> record(Reconcilable r, Attempt attempt, Blocking blocking) {
        log(r.key(), attempt);
        Uni<Void> recorded = attempt.rows().isEmpty() && attempt.inventory() == null && attempt.release() == null
                && attempt.events().isEmpty()
                ? Uni.createFrom().voidItem()
                : store.save(attempt.rows(), attempt.inventory(), attempt.release(), attempt.events());
        return recorded
                .chain(() -> attempt.status() == null ? Uni.createFrom().voidItem() : blocking.call(() -> {
                    statusPatcher.patch(r.key(), attempt.status());
                    return null;
                }))
                .map(v -> attempt.nextRun());
    }

    private static void log(ObjectKey key, Attempt attempt) {
        if (attempt.notable()) {
            LOG.infof("%s %s", key, attempt.summary());
        } else {
            LOG.debugf("%s %s", key, attempt.summary());
        }
    }

    /**
     * Finalizes an object being deleted, as kustomize-controller's and helm-controller's {@code finalize}: unless it is
     * suspended or its deletion policy keeps them ({@link DeletionAttempt#plan}), its objects are deleted from the target
     * cluster (as its service account) and, with {@code WaitForTermination}, awaited until gone; once that
     * succeeded its desired state, inventory and release state are dropped and then its finalizer removed (so a failure
     * between the two prunes again, idempotently, rather than forgetting rows of a live object). A failed prune keeps
     * everything, reports {@code Ready=False} and is tried again with an exponential backoff.
     *
     * @param gone whether the object is already gone from the API server (deleted without the finalizer): then there is
     *             no finalizer to remove and no status to write
     * @return the time until the next try, null once finalized
     */
    private Uni<Duration> finalizeDeleted(Reconcilable r, Run run, boolean gone) {
        ObjectKey key = r.key();
        return store.load(key.toString())
                .chain(stored -> {
                    if (gone && stored.desired() == null && stored.inventory() == null) {
                        return Uni.createFrom().<DeletionAttempt>nullItem();
                    }
                    List<InventoryEntry> owned = Records.previous(r, stored.inventory());
                    DeletionAttempt.Plan plan = DeletionAttempt.plan(r, owned);
                    Uni<ApplyResult> deletion;
                    if (!plan.delete()) {
                        deletion = Uni.createFrom().nullItem();
                    } else if (r instanceof Reconcilable.OfHelmRelease hr && stored.inventory() != null
                            && stored.inventory().appliedDigest != null) {
                        // the hooks of the release last installed: its pre-/post-delete hooks run around the prune
                        deletion = Panache.withSession(() -> bundles.content(stored.inventory().appliedDigest))
                                .onFailure(IllegalStateException.class).recoverWithNull()
                                .chain(content -> run.blocking().call(() -> applier.uninstall(hr, owned,
                                        content == null ? null : applier.bundle(content))));
                    } else {
                        deletion = run.blocking().call(() -> applier.prune(r, owned));
                    }
                    return deletion
                            .chain(pruned -> (plan.waitForTermination() && pruned != null && pruned.succeeded()
                                    ? run.blocking().call(() -> applier.awaitTermination(r, DeletionAttempt.deleted(owned, pruned)).orElse(null))
                                    : Uni.createFrom().<String>nullItem())
                                    .map(notTerminated -> DeletionAttempt.of(r, plan, pruned, notTerminated,
                                            finalizeFailures.getOrDefault(key, 0), config.finalizeInitialBackoff(),
                                            config.finalizeMaxBackoff(), run.took(), config.reportingController())));
                })
                .chain(attempt -> {
                    if (attempt == null) {
                        return Uni.createFrom().<Duration>nullItem();
                    }
                    log(key, attempt);
                    if (attempt.finalized()) {
                        finalizeFailures.remove(key);
                        errors.remove(key);
                        fromWebhooks.remove(key);
                        fluxMetrics.forget(key);
                        return store.forget(key.toString(), attempt.rows(), attempt.events())
                                .chain(() -> gone ? Uni.createFrom().voidItem() : run.blocking().call(() -> {
                                    finalizers.remove(r.object());
                                    return null;
                                }))
                                .map(v -> (Duration) null);
                    }
                    finalizeFailures.merge(key, 1, Integer::sum);
                    return store.save(attempt.rows(), null, null, attempt.events())
                            .chain(() -> gone ? Uni.createFrom().voidItem() : run.blocking().call(() -> {
                                statusPatcher.patch(key, attempt.status());
                                return null;
                            }))
                            .map(v -> attempt.nextRun());
                });
    }

    /**
     * An object left the API server. Normally it was finalized first (its rows are gone: nothing to do but cancel its
     * runs). An object deleted without the finalizer (before this applier ever reconciled it, or added by a version
     * without finalizers) is finalized now from its last known state, retried with backoff like any finalization.
     *
     * @param last the object's last known state
     */
    public void onDeleted(Reconcilable last) {
        ObjectKey key = last.key();
        requeue.cancel(key.toString());
        if (!ownership.owns(key)) {
            return;
        }
        requeue.schedule(key.toString(), Duration.ZERO, () -> runSerially(key, "deletion",
                blocking -> finalizeDeleted(last, new Run(false, System.nanoTime(), blocking, 0), true)),
                config.finalizeInitialBackoff());
    }
}
