package io.conflux.applier.reconcile;

import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.applier.persist.StoredState;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.ObjectKey;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The decide step of a reconcile, before anything is applied, in kustomize-controller's order: a desired state of an
 * older generation waits for the render of the current one; a suspended object is left alone (no further run, as
 * Flux does not requeue it); a render failure or a dependency not ready stops the attempt ({@link FailedAttempt});
 * a bundle of a lower source sequence than the one applied for the same generation is never applied (an older
 * revision arriving late, issue #12's race); a bundle already applied, Ready and with no new
 * {@code reconcile.fluxcd.io/requestedAt} is not applied again except by a periodic run (which corrects drift).
 * Pure.
 */
final class Decision {
    private Decision() {
    }

    /**
     * @param r          the object as watched
     * @param stored     its stored state; {@code stored.desired()} not null
     * @param periodic   whether this is a periodic run
     * @param lookup     finds objects in the watched caches (dependencies)
     * @param took       the time taken so far
     * @param retry      when a failed attempt runs again ({@link FailedAttempt#of})
     * @param controller the events' {@code reportingController}
     * @return the attempt that ends this reconcile before acting, or empty when the strategy should act
     */
    static Optional<Attempt> before(Reconcilable r, StoredState stored, boolean periodic,
                                    Function<ObjectKey, Optional<Reconcilable>> lookup, Duration took,
                                    RetryPolicy retry, String controller) {
        DesiredState desired = stored.desired();
        InventoryRecord inventory = stored.inventory();
        if (desired.generation < r.generation()) {
            return Optional.of(new Attempt.Skipped("waiting for the render of generation " + r.generation(),
                    Records.nextRunIn(r, true)));
        }
        if (r.suspended()) {
            return Optional.of(new Attempt.Skipped("suspended", null));
        }
        Optional<FailedAttempt.Cause> stopped = FailedAttempt.before(r, desired, lookup, retry);
        if (stopped.isPresent()) {
            return Optional.of(FailedAttempt.of(r, desired, stopped.get(), took, retry, controller));
        }
        if (olderThanApplied(desired, inventory)) {
            return Optional.of(new Attempt.Skipped("source sequence " + desired.sourceSequence + " is older than the "
                    + inventory.appliedSequence + " applied for generation " + desired.generation,
                    Records.nextRunIn(r, true)));
        }
        if (!periodic && alreadyApplied(r, desired, inventory)) {
            return Optional.of(new Attempt.Skipped("already applied " + desired.bundleDigest, Records.nextRunIn(r, true)));
        }
        return Optional.empty();
    }

    /**
     * @return whether {@code desired} is, for the generation already applied, of a lower source sequence than what was
     *         applied; false when either sequence is unknown (null: today's generation rule alone)
     */
    static boolean olderThanApplied(DesiredState desired, InventoryRecord inventory) {
        return inventory != null && inventory.appliedDigest != null && inventory.appliedGeneration == desired.generation
                && inventory.appliedSequence != null && desired.sourceSequence != null
                && desired.sourceSequence < inventory.appliedSequence;
    }

    /** @return whether the bundle of {@code desired} is applied, the object Ready for it and no request pending */
    static boolean alreadyApplied(Reconcilable r, DesiredState desired, InventoryRecord inventory) {
        return inventory != null && desired.bundleDigest != null && desired.bundleDigest.equals(inventory.appliedDigest)
                && inventory.appliedGeneration == desired.generation
                && Objects.equals(inventory.appliedRevision, desired.sourceRevision)
                && r.status() != null && Conditions.isReady(r.status().conditions(), desired.generation)
                && Objects.equals(r.requestedAt(), r.status().lastHandledReconcileAt());
    }

    /** @return whether a HelmRelease's desired bundle is the one released for this generation */
    static boolean released(DesiredState desired, InventoryRecord inventory) {
        return inventory != null && desired.bundleDigest != null && desired.bundleDigest.equals(inventory.appliedDigest)
                && inventory.appliedGeneration == desired.generation;
    }
}
