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
    void aHelmReleaseUninstallHasHelmControllersReasons() {
        Reconcilable r = Fixtures.helmRelease("", null);
        assertThat(DeletionAttempt.of(r, ApplyResult.of(List.of(), List.of(), "boom"), 0, INITIAL, MAX, Duration.ZERO,
                CONTROLLER).history().reason).isEqualTo("UninstallFailed");
        assertThat(DeletionAttempt.of(r, ApplyResult.of(List.of(), List.of(), null), 0, INITIAL, MAX, Duration.ZERO,
                CONTROLLER).history().reason).isEqualTo("UninstallSucceeded");
    }
}
