package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ReleaseNamespace;
import io.conflux.applier.persist.BundleReader;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.applier.persist.StoredState;
import io.conflux.applier.release.HelmReasons;
import io.conflux.applier.release.HookRunner;
import io.conflux.applier.release.ReleaseHooks;
import io.conflux.applier.release.ReleaseAction;
import io.conflux.applier.release.ReleaseCounters;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.applier.release.ReleaseRun;
import io.conflux.applier.release.Remediation;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * A HelmRelease's act step. A bundle not yet released for this generation is installed or upgraded with
 * helm-controller's remediation ({@link ReleaseRun}; failure counters per generation and bundle, rollback to the last
 * released bundle) and the chart's hooks and tests around each action ({@link ReleaseHooks}): a {@link ReleaseAttempt}
 * ({@link TestReport} adds the tests' {@code TestSuccess} condition). Retries exhausted ({@code Stalled}) means nothing more happens until the
 * spec, chart or values change. A bundle already released is re-applied like a Kustomization's (drift correction,
 * no health checks, as Conflux does not wait for a release's objects): an {@link AppliedAttempt} with helm-controller's
 * {@code InstallSucceeded}/{@code UpgradeSucceeded}.
 */
@ApplicationScoped
public final class ReleaseStrategy implements ReconcileStrategy<Reconcilable.OfHelmRelease> {
    private static final Logger LOG = Logger.getLogger(ReleaseStrategy.class);

    @Inject
    BundleReader bundles;
    @Inject
    BundleApplier applier;
    @Inject
    ApplierConfig config;

    /** The bundles an upgrade needs: the desired one, and the last released one for a rollback (or null). */
    private record Contents(String desired, String lastGood) {
    }

    @Override
    public Uni<Attempt> act(Reconcilable.OfHelmRelease r, StoredState stored, Run run) {
        DesiredState desired = stored.desired();
        if (Decision.released(desired, stored.inventory())) {
            return reapply(r, stored, run);
        }
        ObjectKey key = r.key();
        InventoryRecord inventory = stored.inventory();
        ReleaseState state = new ReleaseState();
        if (stored.release() != null && stored.release().isFor(desired.generation, desired.bundleDigest)) {
            state.reset(key.toString(), desired.generation, desired.bundleDigest);
            state.count(stored.release().counters());
            state.lastAction = stored.release().lastAction;
            state.stalled = stored.release().stalled;
        } else {
            state.reset(key.toString(), desired.generation, desired.bundleDigest);
            state.lastAction = stored.release() == null ? null : stored.release().lastAction;
        }
        if (state.stalled) {
            return Uni.createFrom().item(new Attempt.Skipped("retries exhausted for generation " + desired.generation
                    + " and " + desired.bundleDigest, null));
        }
        Remediation install;
        Remediation upgrade;
        try {
            install = Remediation.install(r.object().getSpec().install());
            upgrade = Remediation.upgrade(r.object().getSpec().upgrade());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(FailedAttempt.of(r, desired, new FailedAttempt.Cause(FluxReasons.RECONCILIATION_FAILED,
                    "HelmRelease " + key.namespace() + "/" + key.name() + ": " + e.getMessage(), true), run.took(),
                    config.reportingController()));
        }
        ReleaseAction action = inventory == null || inventory.appliedDigest == null ? ReleaseAction.INSTALL : ReleaseAction.UPGRADE;
        boolean rollback = action == ReleaseAction.UPGRADE && Remediation.ROLLBACK.equals(upgrade.strategy());
        ReleaseCounters counters = state.counters();
        AtomicReference<ReleaseHooks> hooks = new AtomicReference<>();
        return Panache.withSession(() -> bundles.content(desired.bundleDigest).chain(content -> rollback
                        ? bundles.content(inventory.appliedDigest)
                                .onFailure(IllegalStateException.class).recoverWithNull() // gone: the rollback fails, named
                                .map(lastGood -> new Contents(content, lastGood))
                        : Uni.createFrom().item(new Contents(content, null))))
                .chain(contents -> run.blocking().call(() -> {
                    List<InventoryEntry> previous = Records.previous(r, inventory);
                    ReleaseBundle bundle = applier.bundle(contents.desired());
                    ReleaseBundle lastGood = contents.lastGood() == null ? null : applier.bundle(contents.lastGood());
                    try {
                        return applier.onTarget(r, target -> {
                            ReleaseNamespace.ensure(target, r.object());
                            ReleaseHooks releaseHooks = new ReleaseHooks(new HookRunner(target, config.fieldManager(),
                                    config.healthPollInterval()), bundle.hooks(), lastGood == null ? List.of() : lastGood.hooks(),
                                    ReleaseHooks.Settings.of(r.object().getSpec()), applier.timeout(r));
                            hooks.set(releaseHooks);
                            ReleaseOutcome outcome = new ReleaseRun(applier.applier(target), r.ownerLabels(),
                                    applier.timeout(r), releaseHooks).run(action, bundle.objects(),
                                    lastGood == null ? null : lastGood.objects(), previous, counters, install, upgrade);
                            HelmStorage.record(target, r, outcome, bundle, lastGood, releaseHooks.results());
                            return outcome;
                        });
                    } catch (IllegalStateException | KubernetesClientException e) {
                        ApplyResult failed = ApplyResult.of(List.of(), previous, e.getMessage());
                        ReleaseCounters after = counters.failed(action);
                        return new ReleaseOutcome(action, failed, null, null, after,
                                (action == ReleaseAction.INSTALL ? install : upgrade).canRetry(after.of(action)), false);
                    }
                }))
                .map(outcome -> {
                    LOG.debugf("%s %s: %s", key, outcome.readyReason(), outcome.releaseMessage(r.releaseName(), desired.sourceRevision));
                    return TestReport.add(ReleaseAttempt.of(r, desired, inventory, state, outcome, run.took(),
                            config.releaseRetryInterval(), config.reportingController()), r, desired, outcome,
                            hooks.get() == null ? java.util.Optional.empty() : hooks.get().tests(), config.reportingController());
                });
    }

    /** Re-applies the released bundle (a periodic run, or a request): drift is corrected as for a Kustomization. */
    private Uni<Attempt> reapply(Reconcilable.OfHelmRelease r, StoredState stored, Run run) {
        DesiredState desired = stored.desired();
        String successReason = stored.release() != null && ReleaseAction.INSTALL.toString().equals(stored.release().lastAction)
                ? HelmReasons.INSTALL_SUCCEEDED : HelmReasons.UPGRADE_SUCCEEDED;
        return Panache.withSession(() -> bundles.content(desired.bundleDigest))
                .chain(content -> run.blocking().call(() -> {
                    List<InventoryEntry> previous = Records.previous(r, stored.inventory());
                    Instant deadline = Instant.now().plus(applier.timeout(r));
                    List<Map<String, Object>> objects = applier.parse(content);
                    try {
                        return applier.onTarget(r, target -> {
                            ReleaseNamespace.ensure(target, r.object());
                            return applier.apply(r, target, objects, previous, false, deadline);
                        });
                    } catch (IllegalStateException | KubernetesClientException e) {
                        return ApplyResult.of(List.of(), previous, e.getMessage());
                    }
                }))
                .map(result -> AppliedAttempt.of(r, desired, stored.inventory(), result, successReason, run.periodic(),
                        run.took(), config.reportingController()));
    }
}
