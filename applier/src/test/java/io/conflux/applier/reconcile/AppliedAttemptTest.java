package io.conflux.applier.reconcile;

import static io.conflux.applier.reconcile.Fixtures.CONTROLLER;
import static io.conflux.applier.reconcile.Fixtures.REVISION;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.Change;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.model.kustomize.ResourceInventory;
import io.conflux.model.meta.Condition;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an attempt that applied a bundle records, writes and emits, and when it runs next. */
class AppliedAttemptTest {
    private static final String KEY = "Kustomization/default/apps";
    private static final InventoryEntry CM = InventoryEntry.of("v1", "ConfigMap", "default", "cm");

    @Test
    void aSuccessIsReadyWithTheChangeSetInTheEventTheInventoryRecordedAndTheNextRunAtTheInterval() {
        Reconcilable r = Fixtures.kustomization("\"interval\":\"5m\",\"retryInterval\":\"1m\"", null);
        DesiredState desired = Fixtures.desired(KEY, 2, "sha256:new", 7L);
        InventoryRecord before = Fixtures.inventory(KEY, 1, "sha256:old", 6L);
        ApplyResult result = ApplyResult.of(List.of(new Change("ConfigMap/default/cm", Change.Action.CREATED),
                new Change("ConfigMap/default/old", Change.Action.DELETED)), List.of(CM), null);

        AppliedAttempt attempt = AppliedAttempt.of(r, desired, before, result, "ReconciliationSucceeded", false,
                Duration.ofMillis(1500), CONTROLLER);

        assertThat(attempt.history().ready).isTrue();
        assertThat(attempt.history().reason).isEqualTo("ReconciliationSucceeded");
        assertThat(attempt.history().created).isEqualTo(1);
        assertThat(attempt.history().deleted).isEqualTo(1);
        assertThat(attempt.inventory()).isNotSameAs(before);
        assertThat(attempt.inventory().appliedDigest).isEqualTo("sha256:new");
        assertThat(attempt.inventory().appliedGeneration).isEqualTo(2);
        assertThat(attempt.inventory().appliedSequence).isEqualTo(7L);
        assertThat(attempt.inventory().entries).isEqualTo("[{\"id\":\"default_cm__ConfigMap\",\"v\":\"v1\"}]");
        assertThat(before.appliedDigest).isEqualTo("sha256:old"); // inputs are not changed
        assertThat(Fixtures.condition(attempt.status(), "Ready")).extracting(Condition::status, Condition::reason,
                Condition::message).containsExactly("True", "ReconciliationSucceeded", "Applied revision: " + REVISION);
        assertThat(attempt.status()).containsEntry("lastAppliedRevision", REVISION)
                .containsEntry("lastAttemptedRevision", REVISION).containsEntry("observedGeneration", 2L)
                .containsEntry("inventory", new ResourceInventory(List.of(CM.toRef())));
        assertThat(attempt.events()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo(FluxEvent.INFO);
            assertThat(e.message()).isEqualTo("ConfigMap/default/cm created\nConfigMap/default/old deleted\n"
                    + "Reconciliation finished in 2s, next run in 5m0s");
        });
        assertThat(attempt.nextRun()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aFailureKeepsWhatWasAppliedBeforeIsReadyFalseAndRunsAgainAtTheRetryInterval() {
        Reconcilable r = Fixtures.kustomization("\"interval\":\"5m\",\"retryInterval\":\"1m\"", null);
        DesiredState desired = Fixtures.desired(KEY, 2, "sha256:new", 7L);
        InventoryRecord before = Fixtures.inventory(KEY, 1, "sha256:old", 6L);
        ApplyResult result = ApplyResult.of(List.of(), List.of(CM), "ConfigMap/default/cm: forbidden")
                .failedWith("HealthCheckFailed", "health check failed after 5m0s: timeout");

        AppliedAttempt attempt = AppliedAttempt.of(r, desired, before, result, "ReconciliationSucceeded", false,
                Duration.ZERO, CONTROLLER);

        assertThat(attempt.history().ready).isFalse();
        assertThat(attempt.inventory().appliedDigest).isEqualTo("sha256:old");
        assertThat(attempt.inventory().appliedSequence).isEqualTo(6L);
        assertThat(attempt.status()).doesNotContainKey("lastAppliedRevision").containsEntry("lastAttemptedRevision", REVISION);
        assertThat(Fixtures.condition(attempt.status(), "Ready")).extracting(Condition::status, Condition::reason)
                .containsExactly("False", "HealthCheckFailed");
        assertThat(attempt.events()).singleElement().extracting(FluxEvent::severity, FluxEvent::message)
                .containsExactly(FluxEvent.ERROR, "health check failed after 5m0s: timeout");
        assertThat(attempt.nextRun()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aPeriodicRunWithoutDriftOnAReadyObjectRecordsOnlyItsHistoryRow() {
        Reconcilable r = Fixtures.kustomization("\"interval\":\"5m\"", Fixtures.readyStatus("True", 2));
        DesiredState desired = Fixtures.desired(KEY, 2, "sha256:new", 7L);
        ApplyResult unchanged = ApplyResult.of(List.of(new Change("ConfigMap/default/cm", Change.Action.UNCHANGED)),
                List.of(CM), null);

        AppliedAttempt quiet = AppliedAttempt.of(r, desired, null, unchanged, "ReconciliationSucceeded", true,
                Duration.ZERO, CONTROLLER);
        assertThat(quiet.rows()).hasSize(1);
        assertThat(quiet.inventory()).isNull();
        assertThat(quiet.status()).isNull();
        assertThat(quiet.events()).isEmpty();
        assertThat(quiet.nextRun()).isEqualTo(Duration.ofMinutes(5));

        // a status left behind (its write failed after the apply) is written by the next periodic run
        Reconcilable behind = Fixtures.kustomization("\"interval\":\"5m\"", Fixtures.readyStatus("True", 2)
                .replace(REVISION, "main@sha1:older"));
        assertThat(AppliedAttempt.of(behind, desired, null, unchanged, "ReconciliationSucceeded", true, Duration.ZERO,
                CONTROLLER).status()).containsEntry("lastAppliedRevision", REVISION);

        ApplyResult drifted = ApplyResult.of(List.of(new Change("ConfigMap/default/cm", Change.Action.CONFIGURED,
                List.of("data.a"))), List.of(CM), null);
        AppliedAttempt corrected = AppliedAttempt.of(r, desired, null, drifted, "ReconciliationSucceeded", true,
                Duration.ZERO, CONTROLLER);
        assertThat(corrected.history().message).isEqualTo("drift corrected: ConfigMap/default/cm configured (data.a)");
        assertThat(corrected.events()).hasSize(1);
        assertThat(corrected.status()).isNotNull();
    }
}
