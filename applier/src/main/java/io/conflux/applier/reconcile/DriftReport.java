package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.release.DriftDetection;
import io.conflux.applier.release.HelmReasons;
import io.conflux.applier.release.ObjectDrift;
import io.conflux.applier.release.ReleaseDrift;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.FluxEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds a released HelmRelease's drift detection to the attempt of its periodic run, as helm-controller's
 * {@code AtomicRelease} and {@code CorrectClusterDrift} report it: with drift, the condition {@code Drifted=True}
 * ({@code DriftDetected}, "Cluster state of release ns/name has drifted from the desired state:" and one summary line
 * per object) and a Warning event with the same message; after a correction ({@code mode: enabled}) a
 * {@code DriftCorrected} event with the change set, or a Warning {@code DriftCorrectionFailed} naming the error (Ready
 * is left as it is, as helm-controller does). Without drift, {@code Drifted=False} ({@code NoDriftDetected}) — a quiet
 * run that already reports that stays quiet. With {@code mode: disabled} the attempt is left as it is. Pure.
 */
final class DriftReport {
    private DriftReport() {
    }

    /**
     * @param attempt    what the periodic run writes so far
     * @param r          the HelmRelease
     * @param detection  its {@code spec.driftDetection}
     * @param drifted    the drifted objects found (empty: none)
     * @param correction the correction's outcome, or null when nothing was corrected
     * @param revision   the released chart revision, for the events' metadata
     * @param controller the events' {@code reportingController}
     * @return {@code attempt} with the condition and events
     */
    @SuppressWarnings("unchecked")
    static AppliedAttempt report(AppliedAttempt attempt, Reconcilable.OfHelmRelease r, DriftDetection detection,
                                 List<ReleaseDrift.Drifted> drifted, ApplyResult correction, String revision,
                                 String controller) {
        if (!detection.detects()) {
            return attempt;
        }
        long generation = r.generation();
        String release = r.releaseName();
        Optional<Condition> before = Conditions.find(Records.conditions(r), HelmReasons.DRIFTED);
        if (drifted.isEmpty() && attempt.status() == null && before.map(c -> "False".equals(c.status())).orElse(false)) {
            return attempt;
        }
        Map<String, Object> status = attempt.status() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(attempt.status());
        List<Condition> conditions = (List<Condition>) status.getOrDefault("conditions", Records.conditions(r));
        List<FluxEvent> events = new ArrayList<>(attempt.events());
        if (drifted.isEmpty()) {
            conditions = Conditions.set(conditions, new Condition(HelmReasons.DRIFTED, "False", generation,
                    Conditions.now(), HelmReasons.NO_DRIFT_DETECTED, "No drift detected against the cluster state"));
        } else {
            String message = "Cluster state of release " + release + " has drifted from the desired state:\n"
                    + String.join("\n", drifted.stream().map(d -> d.drift().summary()).toList());
            conditions = Conditions.set(conditions, new Condition(HelmReasons.DRIFTED, "True", generation,
                    Conditions.now(), HelmReasons.DRIFT_DETECTED, message));
            events.add(Events.of(r.object(), FluxEvent.ERROR, HelmReasons.DRIFT_DETECTED, message, revision, controller));
            if (correction != null && !correction.succeeded()) {
                String partial = correction.changeSet().isEmpty() ? "" : "\n\nSuccessful corrections:\n" + correction.changeSet();
                events.add(Events.of(r.object(), FluxEvent.ERROR, HelmReasons.DRIFT_CORRECTION_FAILED, "Failed to "
                        + (partial.isEmpty() ? "" : "partially ") + "correct cluster state of release " + release
                        + ":\n" + correction.error() + partial, revision, controller));
            } else if (correction != null && !correction.changeSet().isEmpty()) {
                events.add(Events.of(r.object(), FluxEvent.INFO, HelmReasons.DRIFT_CORRECTED, "Cluster state of release "
                        + release + " has been corrected:\n" + correction.changeSet(), revision, controller));
            }
        }
        status.put("conditions", conditions);
        return new AppliedAttempt(attempt.history(), attempt.inventory(), status, List.copyOf(events), attempt.nextRun());
    }

    /** @return the summaries of {@code drifted}, one per object (for the history row) */
    static String summary(List<ReleaseDrift.Drifted> drifted) {
        return String.join("; ", drifted.stream().map(ReleaseDrift.Drifted::drift).map(ObjectDrift::summary).toList());
    }
}
