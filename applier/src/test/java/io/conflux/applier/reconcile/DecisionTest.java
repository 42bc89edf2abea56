package io.conflux.applier.reconcile;

import static io.conflux.applier.reconcile.Fixtures.CONTROLLER;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.StoredState;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decide step: what ends a reconcile before the strategy acts. */
class DecisionTest {
    private static final String KEY = "Kustomization/default/apps";

    @Test
    void aLowerSourceSequenceThanTheOneAppliedForTheSameGenerationIsNeverApplied() {
        Reconcilable r = Fixtures.kustomization("\"interval\":\"5m\"", null);
        InventoryRecord appliedR2 = Fixtures.inventory(KEY, 2, "sha256:r2", 2L);

        Optional<Attempt> r1 = Decision.before(r, new StoredState(Fixtures.desired(KEY, 2, "sha256:r1", 1L), appliedR2, null),
                true, k -> Optional.empty(), Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(r1).get().isInstanceOf(Attempt.Skipped.class);
        assertThat(r1.get().nextRun()).isEqualTo(Duration.ofMinutes(5));

        Optional<Attempt> r3 = Decision.before(r, new StoredState(Fixtures.desired(KEY, 2, "sha256:r3", 3L), appliedR2, null),
                false, k -> Optional.empty(), Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(r3).isEmpty();
    }

    @Test
    void unknownSequencesAndANewGenerationKeepTheGenerationRule() {
        Reconcilable r = Fixtures.kustomization("", null);
        assertThat(Decision.olderThanApplied(Fixtures.desired(KEY, 2, "sha256:a", null), Fixtures.inventory(KEY, 2, "sha256:b", 5L)))
                .isFalse();
        assertThat(Decision.olderThanApplied(Fixtures.desired(KEY, 2, "sha256:a", 1L), Fixtures.inventory(KEY, 2, "sha256:b", null)))
                .isFalse();
        // a new generation may go back to an older revision: the spec asked for it
        assertThat(Decision.olderThanApplied(Fixtures.desired(KEY, 3, "sha256:a", 1L), Fixtures.inventory(KEY, 2, "sha256:b", 5L)))
                .isFalse();
        assertThat(Decision.before(r, new StoredState(Fixtures.desired(KEY, 2, "sha256:a", 1L), null, null), false,
                k -> Optional.empty(), Duration.ZERO, Fixtures.RETRY, CONTROLLER)).isEmpty();
    }

    @Test
    void aRenderOfAnOlderGenerationWaitsASuspendedObjectIsNotRunAgainAndAnAppliedBundleIsSkippedUnlessPeriodic() {
        DesiredState gen1 = Fixtures.desired(KEY, 1, "sha256:a", 1L);
        Optional<Attempt> stale = Decision.before(Fixtures.kustomization("", null), new StoredState(gen1, null, null), false,
                k -> Optional.empty(), Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(stale).get().isInstanceOf(Attempt.Skipped.class);

        Optional<Attempt> suspended = Decision.before(Fixtures.kustomization("\"suspend\":true", null),
                new StoredState(Fixtures.desired(KEY, 2, "sha256:a", 1L), null, null), false, k -> Optional.empty(),
                Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(suspended).get().extracting(Attempt::nextRun).isNull();

        Reconcilable ready = Fixtures.kustomization("", Fixtures.readyStatus("True", 2));
        StoredState applied = new StoredState(Fixtures.desired(KEY, 2, "sha256:a", 1L), Fixtures.inventory(KEY, 2, "sha256:a", 1L), null);
        assertThat(Decision.before(ready, applied, false, k -> Optional.empty(), Duration.ZERO, Fixtures.RETRY, CONTROLLER))
                .get().isInstanceOf(Attempt.Skipped.class);
        assertThat(Decision.before(ready, applied, true, k -> Optional.empty(), Duration.ZERO, Fixtures.RETRY, CONTROLLER)).isEmpty();
    }
}
