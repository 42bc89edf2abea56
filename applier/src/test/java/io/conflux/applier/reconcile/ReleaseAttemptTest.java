package io.conflux.applier.reconcile;

import static io.conflux.applier.reconcile.Fixtures.CONTROLLER;
import static io.conflux.applier.reconcile.Fixtures.REVISION;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.ReleaseState;
import io.conflux.applier.release.ReleaseAction;
import io.conflux.applier.release.ReleaseCounters;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.model.meta.Condition;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a HelmRelease install or upgrade records, writes and emits, and when it runs next. */
class ReleaseAttemptTest {
    private static final String KEY = "HelmRelease/default/podinfo";
    private static final InventoryEntry DEPLOYMENT = InventoryEntry.of("apps/v1", "Deployment", "default", "podinfo");

    @Test
    void aSuccessfulInstallIsReleasedAndReadyAndRunsAgainAtTheInterval() {
        Reconcilable.OfHelmRelease r = Fixtures.helmRelease("\"interval\":\"15m\"", null);
        DesiredState desired = Fixtures.desired(KEY, 3, "sha256:chart", null);
        ReleaseOutcome outcome = new ReleaseOutcome(ReleaseAction.INSTALL, ApplyResult.of(List.of(), List.of(DEPLOYMENT), null),
                null, null, ReleaseCounters.NONE, false, false);

        ReleaseAttempt attempt = ReleaseAttempt.of(r, desired, null, state(), outcome, Duration.ZERO, Fixtures.RETRY, 0, CONTROLLER);

        assertThat(attempt.rows()).singleElement().satisfies(h -> {
            assertThat(h.reason).isEqualTo("InstallSucceeded");
            assertThat(h.ready).isTrue();
        });
        assertThat(attempt.inventory().appliedDigest).isEqualTo("sha256:chart");
        assertThat(attempt.release().lastAction).isEqualTo("install");
        assertThat(attempt.release().stalled).isFalse();
        assertThat(Fixtures.condition(attempt.status(), "Released")).extracting(Condition::status, Condition::reason)
                .containsExactly("True", "InstallSucceeded");
        assertThat(Fixtures.condition(attempt.status(), "Ready").message())
                .isEqualTo("Helm install succeeded for release default/podinfo with chart " + REVISION);
        assertThat(attempt.status()).containsEntry("lastAttemptedRevision", REVISION)
            .doesNotContainKeys("lastAppliedRevision", "inventory").containsEntry("failures", 0);
        assertThat(attempt.events()).singleElement().extracting(FluxEvent::severity, FluxEvent::reason)
                .containsExactly(FluxEvent.INFO, "InstallSucceeded");
        assertThat(attempt.nextRun()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void aFailedUpgradeRolledBackRecordsTwoRowsAndTwoEventsAndIsRetriedWhileRetriesAreLeft() {
        Reconcilable.OfHelmRelease r = Fixtures.helmRelease("\"interval\":\"15m\"", null);
        DesiredState desired = Fixtures.desired(KEY, 3, "sha256:new", null);
        InventoryRecord before = Fixtures.inventory(KEY, 2, "sha256:old", null);
        ReleaseOutcome outcome = new ReleaseOutcome(ReleaseAction.UPGRADE,
                ApplyResult.of(List.of(), List.of(DEPLOYMENT), "Deployment/default/podinfo: invalid"),
                ApplyResult.of(List.of(), List.of(DEPLOYMENT), null), "RollbackSucceeded",
                ReleaseCounters.NONE.failed(ReleaseAction.UPGRADE), true, false);

        ReleaseAttempt attempt = ReleaseAttempt.of(r, desired, before, state(), outcome, Duration.ZERO, Fixtures.RETRY, 0, CONTROLLER);

        assertThat(attempt.rows()).extracting(h -> h.reason).containsExactly("UpgradeFailed", "RollbackSucceeded");
        assertThat(attempt.events()).extracting(FluxEvent::reason).containsExactly("UpgradeFailed", "RollbackSucceeded");
        assertThat(attempt.inventory().appliedDigest).isEqualTo("sha256:old");
        assertThat(attempt.release().upgradeFailures).isEqualTo(1);
        assertThat(Fixtures.condition(attempt.status(), "Ready")).extracting(Condition::status, Condition::reason)
                .containsExactly("False", "RollbackSucceeded");
        assertThat(attempt.status()).doesNotContainKey("lastAppliedRevision").containsEntry("upgradeFailures", 1);
        // helm-controller: ErrMustRequeue -> Requeue: true -> the rate limiter, not a fixed 10s
        assertThat(attempt.nextRun()).isEqualTo(Duration.ofMillis(750));
        assertThat(attempt.rateLimited()).isTrue();
    }

    @Test
    void eachFurtherFailureWithRetriesLeftWaitsTwiceAsLongAsTheRateLimiterDoesNotForgetARequeue() {
        Reconcilable.OfHelmRelease r = Fixtures.helmRelease("\"interval\":\"15m\"", null);
        DesiredState desired = Fixtures.desired(KEY, 3, "sha256:new", null);
        ReleaseOutcome outcome = new ReleaseOutcome(ReleaseAction.INSTALL,
                ApplyResult.of(List.of(), List.of(), "Deployment/default/podinfo: invalid"), null, null,
                ReleaseCounters.NONE.failed(ReleaseAction.INSTALL), true, false);

        assertThat(List.of(0, 1, 2, 20)).extracting(before -> ReleaseAttempt.of(r, desired, null, state(), outcome,
                Duration.ZERO, Fixtures.RETRY, before, CONTROLLER).nextRun())
                .containsExactly(Duration.ofMillis(750), Duration.ofMillis(1500), Duration.ofSeconds(3), Duration.ofMinutes(15));
    }

    @Test
    void theDeprecatedReleaseRetryIntervalIsNamedInAWarningOnlyWhenSet() {
        assertThat(RetryPolicy.deprecatedReleaseRetryInterval(java.util.Optional.empty())).isEmpty();
        assertThat(RetryPolicy.deprecatedReleaseRetryInterval(java.util.Optional.of(Duration.ofSeconds(10)))).get()
                .asString().contains("conflux.applier.release-retry-interval (PT10S) is deprecated and ignored")
                .contains("conflux.applier.min-retry-delay");
    }

    @Test
    void retriesExhaustedIsStalledAndNotRunAgain() {
        Reconcilable.OfHelmRelease r = Fixtures.helmRelease("", null);
        DesiredState desired = Fixtures.desired(KEY, 3, "sha256:new", null);
        ReleaseOutcome outcome = new ReleaseOutcome(ReleaseAction.INSTALL,
                ApplyResult.of(List.of(), List.of(), "Deployment/default/podinfo: invalid"), null, null,
                ReleaseCounters.NONE.failed(ReleaseAction.INSTALL), false, false);

        ReleaseAttempt attempt = ReleaseAttempt.of(r, desired, null, state(), outcome, Duration.ZERO, Fixtures.RETRY, 0, CONTROLLER);

        assertThat(attempt.release().stalled).isTrue();
        assertThat(Fixtures.condition(attempt.status(), "Stalled")).extracting(Condition::status, Condition::reason)
                .containsExactly("True", "RetriesExceeded");
        assertThat(attempt.nextRun()).isNull();
        assertThat(attempt.rateLimited()).isFalse(); // ErrExceededMaxRetries is terminal: no requeue, nothing counted
    }

    private static ReleaseState state() {
        ReleaseState s = new ReleaseState();
        s.reset(KEY, 3, "sha256:new");
        return s;
    }
}
