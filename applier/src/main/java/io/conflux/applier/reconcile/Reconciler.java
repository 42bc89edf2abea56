package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.applier.persist.StateStore;
import io.conflux.applier.produce.EventProducer;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.FluxEvent;
import io.conflux.model.topic.RenderResult;
import io.conflux.service.KeyedSerialQueue;
import io.conflux.service.ReactiveRunner;
import io.conflux.service.ReactiveRunner.Blocking;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Orchestrates the reconcile of one object in kustomize-controller's named steps, and does nothing else: load (the
 * stored desired state, inventory and release state, in one short session) → decide ({@link Decision}: stale render,
 * suspended, render failure, {@code dependsOn}, older revision, already applied) → act (the object's
 * {@link ReconcileStrategy}, blocking, outside any session) → record (the {@link Attempt}'s rows in one transaction) →
 * status (a merge patch after that commit) → events → requeue (the attempt's next run, whatever the outcome; a run
 * that fails is run again after {@code spec.retryInterval}). Work on one object is serialized; objects proceed in
 * parallel.
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
    StatusWriter statusWriter;
    @Inject
    EventProducer events;
    @Inject
    ApplierConfig config;

    private final KeyedSerialQueue queue = new KeyedSerialQueue();
    private final Requeue requeue = new Requeue();
    private Function<ObjectKey, Optional<Reconcilable>> lookup = k -> Optional.empty();
    private Supplier<List<Reconcilable>> all = List::of;

    @PreDestroy
    void close() {
        requeue.close();
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
        for (Reconcilable dependent : DependencyCheck.dependents(key, all.get())) {
            LOG.infof("%s is ready: reconciling dependent %s", key, dependent.key());
            trigger(dependent.key(), key + " turning ready");
        }
    }

    /**
     * Runs {@code key} now, replacing its pending run; later runs are periodic (drift correction) and follow each
     * outcome's next run.
     */
    void trigger(ObjectKey key, String why) {
        AtomicBoolean first = new AtomicBoolean(true);
        Duration afterFailure = lookup.apply(key).map(r -> Records.nextRunIn(r, false)).orElse(Records.DEFAULT_INTERVAL);
        requeue.schedule(key.toString(), Duration.ZERO, () -> runSerially(key, first.getAndSet(false) ? why : null),
                afterFailure);
    }

    /** @return when {@code key} runs next, empty when no run is scheduled */
    public Optional<java.time.Instant> nextRun(ObjectKey key) {
        return requeue.next(key.toString());
    }

    /** One run of {@code key} in its serial queue; {@code why} null for a periodic run. */
    private Uni<Duration> runSerially(ObjectKey key, String why) {
        AtomicReference<Duration> next = new AtomicReference<>();
        return queue.submit(key.toString(), () -> runner.run(blocking -> reconcile(key, why == null, blocking))
                        .invoke(next::set).replaceWithVoid())
                .map(v -> next.get())
                .onFailure().invoke(e -> LOG.errorf(e, "reconciling %s (%s) failed", key, why == null ? "periodic run" : why));
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
        Run run = new Run(periodic, System.nanoTime(), blocking);
        return store.load(key.toString())
                .chain(stored -> stored.desired() == null ? Uni.createFrom().<Attempt>nullItem()
                        : Decision.before(r, stored, periodic, lookup, run.took(), config.reportingController())
                                .map(attempt -> Uni.createFrom().item(attempt))
                                .orElseGet(() -> r.act(strategies, stored, run)))
                .chain(attempt -> attempt == null ? Uni.createFrom().<Duration>nullItem() : record(r, attempt, blocking));
    }

    /** Records the attempt (one transaction), then writes its status and publishes its events. */
    private Uni<Duration> record(Reconcilable r, Attempt attempt, Blocking blocking) {
        log(r.key(), attempt);
        Uni<Void> recorded = attempt.rows().isEmpty() && attempt.inventory() == null && attempt.release() == null
                ? Uni.createFrom().voidItem()
                : store.save(attempt.rows(), attempt.inventory(), attempt.release());
        return recorded
                .chain(() -> attempt.status() == null ? Uni.createFrom().voidItem() : blocking.call(() -> {
                    statusWriter.patch(r.key(), attempt.status());
                    return null;
                }))
                .chain(() -> publish(attempt.events()))
                .map(v -> attempt.nextRun());
    }

    private Uni<Void> publish(List<FluxEvent> toSend) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (FluxEvent event : toSend) {
            chain = chain.chain(() -> events.send(event));
        }
        return chain;
    }

    private static void log(ObjectKey key, Attempt attempt) {
        if (attempt.notable()) {
            LOG.infof("%s %s", key, attempt.summary());
        } else {
            LOG.debugf("%s %s", key, attempt.summary());
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
        requeue.cancel(key.toString());
        queue.submit(key.toString(), () -> runner.run(blocking ->
                Panache.withSession(() -> InventoryRecord.<InventoryRecord>findById(key.toString()))
                        .chain(inventory -> {
                            List<InventoryEntry> owned = Records.previous(last, inventory);
                            return !last.prune() || owned.isEmpty() ? Uni.createFrom().item(ApplyResult.of(List.of(), owned, null))
                                    : blocking.call(() -> {
                                        try {
                                            return applier.onTarget(last, target -> applier.applier(target)
                                                    .apply(List.of(), last.ownerLabels(), owned, true));
                                        } catch (IllegalStateException | KubernetesClientException e) {
                                            return ApplyResult.of(List.of(), owned, e.getMessage());
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
}
