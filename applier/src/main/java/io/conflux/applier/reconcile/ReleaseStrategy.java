package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.HealthChecker;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ReleaseNamespace;
import io.conflux.applier.persist.BundleReader;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.applier.persist.StoredState;
import io.conflux.applier.release.DriftDetection;
import io.conflux.applier.release.FluxDigest;
import io.conflux.applier.release.HelmReasons;
import io.conflux.applier.release.HookRunner;
import io.conflux.applier.release.ReleaseHooks;
import io.conflux.applier.release.ReleaseAction;
import io.conflux.applier.release.ReleaseCounters;
import io.conflux.applier.release.ReleaseDrift;
import io.conflux.applier.release.ReleaseOptions;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.applier.release.ReleaseRun;
import io.conflux.applier.release.Remediation;
import io.conflux.model.helm.ReleaseBundle;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * A HelmRelease's act step. A bundle not yet released for this generation is installed or upgraded with
 * helm-controller's options ({@link ReleaseOptions}: CRD policy, wait with kstatus and timeout, force, cleanupOnFail)
 * and remediation ({@link ReleaseRun}; failure counters per generation and bundle, rollback to the last released
 * bundle), with the chart's hooks and tests around each action ({@link ReleaseHooks}; {@link TestReport} adds the
 * tests' {@code TestSuccess} condition) and Helm's release records written ({@link HelmStorage}): a
 * {@link ReleaseAttempt}. Retries exhausted ({@code Stalled}) means nothing more happens until the spec,
 * chart or values change. A bundle already released is handled by {@code spec.driftDetection}
 * ({@link DriftDetection}): {@code disabled} (the default) applies nothing; {@code warn} compares the release's objects
 * with the cluster and reports drift ({@link DriftReport}); {@code enabled} also re-applies the drifted objects — an
 * {@link AppliedAttempt} with helm-controller's {@code InstallSucceeded}/{@code UpgradeSucceeded}. A malformed field
 * of these fails the HelmRelease ({@code Ready=False}, {@code ReconciliationFailed}) naming it. An error of the act
 * step itself is {@code Ready=False ReconcileError}, retried with the rate limiter's backoff ({@link #act}).
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
    /** The management cluster, where the HelmRelease and its {@code status.history} are. */
    @Inject
    KubernetesClient client;

    /** The bundles an upgrade needs: the desired one, and the last released one for a rollback (or null). */
    private record Contents(String desired, String lastGood) {
    }

    /**
     * {@inheritDoc} An error anywhere in it (an exception, not an install/upgrade failure: a bundle that does not
     * parse, a Helm release record that cannot be written, a database read that failed) is the attempt
     * {@link FailedAttempt#ofError}: {@code Ready=False ReconcileError}, run again after the rate limiter's backoff
     * ({@code conflux.applier.min-retry-delay}, doubling per error in a row up to {@code max-retry-delay}) as
     * helm-controller's errors are, rather than after the interval.
     */
    @Override
    public Uni<Attempt> act(Reconcilable.OfHelmRelease r, StoredState stored, Run run) {
        return Uni.createFrom().deferred(() -> release(r, stored, run))
                .onFailure().recoverWithItem(e -> {
                    FailedAttempt attempt = FailedAttempt.ofError(r, stored.desired(), e, run.errors(), run.took(),
                            RetryPolicy.of(config), config.reportingController());
                    if (run.errors() == 0) {
                        LOG.errorf(e, "%s: the release failed with an error, next try in %s", r.key(), attempt.nextRun());
                    } else {
                        LOG.warnf("%s: the release failed with an error again (%d in a row), next try in %s: %s", r.key(),
                                run.errors() + 1, attempt.nextRun(), FailedAttempt.describe(e));
                    }
                    return attempt;
                });
    }

    /** The act step proper: a release, or the drift detection of a bundle already released. */
    private Uni<Attempt> release(Reconcilable.OfHelmRelease r, StoredState stored, Run run) {
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
        ReleaseOptions installOptions;
        ReleaseOptions upgradeOptions;
        try {
            install = Remediation.install(r.object().getSpec().install());
            upgrade = Remediation.upgrade(r.object().getSpec().upgrade());
            installOptions = ReleaseOptions.install(r.object().getSpec().install(), r.object().getSpec().timeout());
            upgradeOptions = ReleaseOptions.upgrade(r.object().getSpec().upgrade(), r.object().getSpec().timeout());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(FailedAttempt.of(r, desired, new FailedAttempt.Cause(FluxReasons.RECONCILIATION_FAILED,
                    "HelmRelease " + key.namespace() + "/" + key.name() + ": " + e.getMessage(), true), run.took(),
                    RetryPolicy.of(config), config.reportingController()));
        }
        ReleaseAction action = inventory == null || inventory.appliedDigest == null ? ReleaseAction.INSTALL : ReleaseAction.UPGRADE;
        ReleaseOptions options = action == ReleaseAction.INSTALL ? installOptions : upgradeOptions;
        boolean rollback = action == ReleaseAction.UPGRADE && Remediation.ROLLBACK.equals(upgrade.strategy());
        ReleaseCounters counters = state.counters();
        AtomicReference<ReleaseHooks> hooks = new AtomicReference<>();
        AtomicReference<ReleaseRecordsView> view = new AtomicReference<>();
        return Panache.withSession(() -> bundles.content(desired.bundleDigest).chain(content -> rollback
                        ? bundles.content(inventory.appliedDigest)
                                .onFailure(IllegalStateException.class).recoverWithNull() // gone: the rollback fails, named
                                .map(lastGood -> new Contents(content, lastGood))
                        : Uni.createFrom().item(new Contents(content, null))))
                .chain(contents -> run.blocking().call(() -> {
                    List<InventoryEntry> previous = Records.previous(r, inventory);
                    List<Map<String, Object>> history = HelmStorage.history(client, r);
                    ReleaseBundle bundle = applier.bundle(contents.desired());
                    ReleaseBundle lastGood = contents.lastGood() == null ? null : applier.bundle(contents.lastGood());
                    try {
                        return applier.onTarget(r, target -> {
                            ReleaseNamespace.ensure(target, r.object());
                            ReleaseHooks releaseHooks = new ReleaseHooks(new HookRunner(target, config.fieldManager(),
                                    config.healthPollInterval()), bundle.hooks(), lastGood == null ? List.of() : lastGood.hooks(),
                                    ReleaseHooks.Settings.of(r.object().getSpec()), options.timeout());
                            hooks.set(releaseHooks);
                            ReleaseOutcome outcome = new ReleaseRun(applier.applier(target),
                                    new HealthChecker(target, config.healthPollInterval()), r.ownerLabels(), releaseHooks)
                                    .run(action, bundle.objects(), lastGood == null ? null : lastGood.objects(),
                                            previous, counters, install, upgrade, options);
                            view.set(new ReleaseRecordsView(HelmStorage.record(target, r, outcome, bundle, lastGood,
                                    releaseHooks.results(), history), bundle.release()));
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
                    ReleaseAttempt attempt = ReleaseAttempt.of(r, desired, inventory, state, outcome, run.took(),
                            RetryPolicy.of(config), run.errors(), config.reportingController());
                    if (view.get() != null) {
                        view.get().addTo(attempt.status());
                    }
                    return TestReport.add(attempt, r, desired, outcome,
                            hooks.get() == null ? java.util.Optional.empty() : hooks.get().tests(), config.reportingController());
                });
    }

    /**
     * What helm-controller writes from the release it attempted: {@code status.history} (the snapshots of Helm's
     * records; left as it is when they could not be written), {@code lastAttemptedConfigDigest} (Flux's digest of the
     * values) and {@code lastAttemptedRevisionDigest} (the OCIRepository artifact digest; removed for other sources).
     *
     * @param history the snapshots, newest first, or null when the records were not written
     * @param release the release part of the bundle attempted, null for a bundle stored before it had one
     */
    private record ReleaseRecordsView(List<Map<String, Object>> history, ReleaseBundle.Release release) {
        void addTo(Map<String, Object> status) {
            if (history != null) {
                status.put("history", history);
            }
            if (release != null) {
                status.put("lastAttemptedConfigDigest", FluxDigest.values(release.config()));
                status.put("lastAttemptedRevisionDigest", release.ociDigest());
            }
        }
    }

    /** What a periodic run of a released bundle found and did. */
    private record DriftOutcome(ApplyResult result, List<ReleaseDrift.Drifted> drifted, ApplyResult correction) {
    }

    /**
     * A released bundle's periodic run (or a request): by {@code spec.driftDetection}, nothing is applied
     * ({@code disabled}), drift is reported ({@code warn}), or reported and corrected ({@code enabled}).
     */
    private Uni<Attempt> reapply(Reconcilable.OfHelmRelease r, StoredState stored, Run run) {
        DesiredState desired = stored.desired();
        String successReason = stored.release() != null && ReleaseAction.INSTALL.toString().equals(stored.release().lastAction)
                ? HelmReasons.INSTALL_SUCCEEDED : HelmReasons.UPGRADE_SUCCEEDED;
        DriftDetection detection;
        ReleaseOptions options;
        try {
            detection = DriftDetection.of(r.object().getSpec().driftDetection());
            options = ReleaseOptions.upgrade(r.object().getSpec().upgrade(), r.object().getSpec().timeout());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(FailedAttempt.of(r, desired, new FailedAttempt.Cause(FluxReasons.RECONCILIATION_FAILED,
                    "HelmRelease " + r.key().namespace() + "/" + r.key().name() + ": " + e.getMessage(), true), run.took(),
                    RetryPolicy.of(config), config.reportingController()));
        }
        List<InventoryEntry> previous = Records.previous(r, stored.inventory());
        Uni<DriftOutcome> outcome = !detection.detects()
                ? Uni.createFrom().item(new DriftOutcome(ApplyResult.of(List.of(), previous, null), List.of(), null))
                : Panache.withSession(() -> bundles.content(desired.bundleDigest))
                        .chain(content -> run.blocking().call(() -> detect(r, detection, applier.parse(content), previous,
                                options.timeout())));
        return outcome.map(o -> {
            AppliedAttempt attempt = AppliedAttempt.of(r, desired, stored.inventory(), o.result(), successReason,
                    run.periodic(), run.took(), config.reportingController());
            if (!o.drifted().isEmpty() && !detection.corrects()) {
                attempt.history().message = "drift detected, not corrected (driftDetection.mode warn): "
                        + DriftReport.summary(o.drifted());
            }
            return DriftReport.report(attempt, r, detection, o.drifted(), o.correction(), desired.sourceRevision,
                    config.reportingController());
        });
    }

    private DriftOutcome detect(Reconcilable.OfHelmRelease r, DriftDetection detection, List<Map<String, Object>> objects,
                                List<InventoryEntry> previous, Duration timeout) {
        try {
            return applier.onTarget(r, target -> {
                List<ReleaseDrift.Drifted> drifted = new ReleaseDrift(target, detection).detect(objects, previous);
                if (drifted.isEmpty() || !detection.corrects()) {
                    return new DriftOutcome(ApplyResult.of(List.of(), previous, null), drifted, null);
                }
                ApplyResult correction = ReleaseDrift.correct(applier.applier(target), drifted, r.ownerLabels(), previous,
                        timeout);
                // a failed correction leaves Ready as it is (helm-controller): reported by an event, not as a failure
                return new DriftOutcome(new ApplyResult(correction.changes(), previous, null, null), drifted, correction);
            });
        } catch (IllegalStateException | KubernetesClientException e) {
            return new DriftOutcome(ApplyResult.of(List.of(), previous, "drift detection failed: " + e.getMessage()),
                    List.of(), null);
        }
    }
}
