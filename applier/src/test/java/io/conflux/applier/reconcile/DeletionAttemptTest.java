package io.conflux.applier.reconcile;

import static io.conflux.applier.reconcile.Fixtures.CONTROLLER;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.Change;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.model.meta.Condition;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the finalization of a deleted object records, writes and emits, and when a failed one runs again. */
class DeletionAttemptTest {
    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofSeconds(30);

    @Test
    void aSuccessfulPruneFinalizesWithAnEventListingTheDeletedObjects() {
        Reconcilable r = Fixtures.kustomization("\"prune\":true", Fixtures.readyStatus("True", 2));
        ApplyResult pruned = ApplyResult.of(List.of(new Change("ConfigMap/default/cm", Change.Action.DELETED)), List.of(), null);

        DeletionAttempt attempt = DeletionAttempt.of(r, pruned, 0, INITIAL, MAX, Duration.ZERO, CONTROLLER);

        assertThat(attempt.finalized()).isTrue();
        assertThat(attempt.status()).isNull();
        assertThat(attempt.history().deleted).isEqualTo(1);
        assertThat(attempt.events()).singleElement().extracting(FluxEvent::severity, FluxEvent::message)
                .containsExactly(FluxEvent.INFO, "ConfigMap/default/cm deleted");
        assertThat(attempt.nextRun()).isNull();
    }

    @Test
    void nothingToPruneFinalizesQuietly() {
        DeletionAttempt attempt = DeletionAttempt.of(Fixtures.kustomization("\"prune\":false", null), null, 0, INITIAL, MAX,
                Duration.ZERO, CONTROLLER);
        assertThat(attempt.finalized()).isTrue();
        assertThat(attempt.events()).isEmpty();
    }

    @Test
    void aFailedPruneKeepsEverythingIsReadyFalseAndIsRetriedWithAGrowingBackoff() {
        Reconcilable r = Fixtures.kustomization("\"prune\":true", Fixtures.readyStatus("True", 2));
        ApplyResult failed = ApplyResult.of(List.of(), List.of(InventoryEntry.of("v1", "ConfigMap", "default", "cm")),
                "ConfigMap/default/cm: 500 Internal Server Error");

        DeletionAttempt first = DeletionAttempt.of(r, failed, 0, INITIAL, MAX, Duration.ZERO, CONTROLLER);
        assertThat(first.finalized()).isFalse();
        assertThat(first.history().ready).isFalse();
        assertThat(Fixtures.condition(first.status(), "Ready")).extracting(Condition::status, Condition::reason)
                .containsExactly("False", "PruneFailed");
        assertThat(Fixtures.condition(first.status(), "Ready").message()).contains("500 Internal Server Error");
        assertThat(first.events()).singleElement().extracting(FluxEvent::severity).isEqualTo(FluxEvent.ERROR);
        assertThat(first.nextRun()).isEqualTo(INITIAL);

        assertThat(DeletionAttempt.of(r, failed, 3, INITIAL, MAX, Duration.ZERO, CONTROLLER).nextRun())
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(DeletionAttempt.of(r, failed, 40, INITIAL, MAX, Duration.ZERO, CONTROLLER).nextRun()).isEqualTo(MAX);
    }

    @Test
    void theDeletionPolicyDecidesWhetherTheInventoryIsDeletedAsKustomizeController() {
        List<InventoryEntry> owned = List.of(InventoryEntry.of("v1", "ConfigMap", "default", "cm"));
        assertThat(DeletionAttempt.plan(Fixtures.kustomization("\"prune\":true", null), owned))
                .extracting(DeletionAttempt.Plan::delete, DeletionAttempt.Plan::waitForTermination).containsExactly(true, false);
        DeletionAttempt.Plan mirrorNoPrune = DeletionAttempt.plan(Fixtures.kustomization("\"prune\":false", null), owned);
        assertThat(mirrorNoPrune.delete()).isFalse();
        assertThat(mirrorNoPrune.kept()).isEqualTo("prune disabled (deletionPolicy MirrorPrune): 1 objects left in place");
        assertThat(DeletionAttempt.plan(policy("MirrorPrune", true), owned).delete()).isTrue();
        assertThat(DeletionAttempt.plan(policy("Delete", false), owned))
                .extracting(DeletionAttempt.Plan::delete, DeletionAttempt.Plan::waitForTermination).containsExactly(true, false);
        assertThat(DeletionAttempt.plan(policy("WaitForTermination", false), owned))
                .extracting(DeletionAttempt.Plan::delete, DeletionAttempt.Plan::waitForTermination).containsExactly(true, true);
        DeletionAttempt.Plan orphan = DeletionAttempt.plan(policy("Orphan", true), owned);
        assertThat(orphan.delete()).isFalse();
        assertThat(orphan.kept()).isEqualTo("deletionPolicy Orphan: 1 objects left in place");
        DeletionAttempt.Plan unknown = DeletionAttempt.plan(policy("Shred", true), owned);
        assertThat(unknown.delete()).isFalse();
        assertThat(unknown.kept()).startsWith("spec.deletionPolicy 'Shred' is not one of MirrorPrune, Delete,");
        // a HelmRelease always uninstalls
        assertThat(DeletionAttempt.plan(Fixtures.helmRelease("", null), owned).delete()).isTrue();
    }

    @Test
    void nothingIsDeletedWhenSuspendedOrNothingWasApplied() {
        List<InventoryEntry> owned = List.of(InventoryEntry.of("v1", "ConfigMap", "default", "cm"));
        DeletionAttempt.Plan suspended = DeletionAttempt.plan(Fixtures.kustomization(
                "\"prune\":true,\"suspend\":true,\"deletionPolicy\":\"Delete\"", null), owned);
        assertThat(suspended.delete()).isFalse();
        assertThat(suspended.kept()).startsWith("suspended");
        assertThat(DeletionAttempt.plan(policy("WaitForTermination", true), List.of()))
                .extracting(DeletionAttempt.Plan::delete, DeletionAttempt.Plan::kept).containsExactly(false, null);
    }

    @Test
    void anOrphaningFinalizationSaysSoInItsHistoryWithoutAnEvent() {
        Reconcilable r = policy("Orphan", true);
        DeletionAttempt attempt = DeletionAttempt.of(r, DeletionAttempt.plan(r, List.of(InventoryEntry.of("v1", "ConfigMap",
                "default", "cm"))), null, null, 0, INITIAL, MAX, Duration.ZERO, CONTROLLER);
        assertThat(attempt.finalized()).isTrue();
        assertThat(attempt.history().message).isEqualTo("finalized, deletionPolicy Orphan: 1 objects left in place");
        assertThat(attempt.events()).isEmpty();
    }

    @Test
    void objectsNotTerminatedInTimeDoNotHoldTheFinalizerBackButAreAnErrorEvent() {
        Reconcilable r = policy("WaitForTermination", false);
        List<InventoryEntry> owned = List.of(InventoryEntry.of("v1", "ConfigMap", "default", "cm"),
                InventoryEntry.of("v1", "ConfigMap", "default", "skipped"));
        ApplyResult pruned = ApplyResult.of(List.of(new Change("ConfigMap/default/cm", Change.Action.DELETED),
                new Change("ConfigMap/default/skipped", Change.Action.SKIPPED)), List.of(), null);
        assertThat(DeletionAttempt.deleted(owned, pruned)).extracting(InventoryEntry::name).containsExactly("cm");

        DeletionAttempt attempt = DeletionAttempt.of(r, DeletionAttempt.plan(r, owned), pruned,
                "timeout waiting for termination of: [ConfigMap/default/cm]", 0, INITIAL, MAX, Duration.ZERO, CONTROLLER);
        assertThat(attempt.finalized()).isTrue();
        assertThat(attempt.events()).extracting(FluxEvent::severity).containsExactly(FluxEvent.INFO, FluxEvent.ERROR);
        assertThat(attempt.events().get(1).message())
                .isEqualTo("failed to wait for resources termination: timeout waiting for termination of: [ConfigMap/default/cm]");
        assertThat(attempt.history().message).contains("failed to wait for resources termination");
    }

    private static Reconcilable policy(String policy, boolean prune) {
        return Fixtures.kustomization("\"prune\":" + prune + ",\"deletionPolicy\":\"" + policy + "\"",
                Fixtures.readyStatus("True", 2));
    }

    @Test
    void aHelmReleaseUninstallHasHelmControllersReasons() {
        Reconcilable r = Fixtures.helmRelease("", null);
        assertThat(DeletionAttempt.of(r, ApplyResult.of(List.of(), List.of(), "boom"), 0, INITIAL, MAX, Duration.ZERO,
                CONTROLLER).history().reason).isEqualTo("UninstallFailed");
        assertThat(DeletionAttempt.of(r, ApplyResult.of(List.of(), List.of(), null), 0, INITIAL, MAX, Duration.ZERO,
                CONTROLLER).history().reason).isEqualTo("UninstallSucceeded");
    }
}
