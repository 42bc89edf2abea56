package io.conflux.applier.reconcile;

import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.release.HelmReasons;
import io.conflux.applier.release.ReleaseHooks;
import io.conflux.applier.release.ReleaseOutcome;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.FluxEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds the outcome of a release's Helm tests ({@code spec.test.enable}) to what its attempt writes, as helm-controller's
 * test step reports it ({@code internal/reconcile/test.go}): the {@code TestSuccess} condition, {@code True}
 * {@code TestSucceeded} "Helm test succeeded for release ns/name with chart 1.0.0: 2 test hooks completed
 * successfully" (or "no test hooks"), or {@code False} {@code TestFailed} "Helm test failed for release … : <hook and
 * why>", and an event with the same reason (info or error). A failed test that is not ignored failed the release (its
 * remediation ran); when no remediation ran, {@code Ready} carries {@code TestFailed}. Attempts without tests are
 * returned unchanged. A pure function.
 */
final class TestReport {
    private TestReport() {
    }

    /**
     * @param attempt    what the release writes without the tests
     * @param r          the HelmRelease
     * @param desired    the desired state released
     * @param outcome    the release's outcome
     * @param tests      the tests' outcome, empty when they did not run
     * @param controller the events' {@code reportingController}
     * @return the attempt with the tests' condition and event
     */
    static ReleaseAttempt add(ReleaseAttempt attempt, Reconcilable.OfHelmRelease r, DesiredState desired,
                              ReleaseOutcome outcome, Optional<ReleaseHooks.TestOutcome> tests, String controller) {
        if (tests.isEmpty()) {
            return attempt;
        }
        ReleaseHooks.TestOutcome test = tests.get();
        int hooks = test.result().executions().size();
        String release = r.releaseName();
        String revision = desired.sourceRevision;
        String message = test.succeeded()
                ? "Helm test succeeded for release " + release + " with chart " + revision + ": " + (hooks == 0
                        ? "no test hooks" : hooks + " test hook" + (hooks == 1 ? "" : "s") + " completed successfully")
                : "Helm test failed for release " + release + " with chart " + revision + ": " + test.result().error();
        String reason = test.succeeded() ? HelmReasons.TEST_SUCCEEDED : HelmReasons.TEST_FAILED;
        Map<String, Object> status = new LinkedHashMap<>(attempt.status());
        @SuppressWarnings("unchecked")
        List<Condition> conditions = Conditions.set((List<Condition>) status.get("conditions"), new Condition(
                HelmReasons.TEST_SUCCESS, test.succeeded() ? "True" : "False", desired.generation, Conditions.now(),
                reason, message));
        if (!test.succeeded() && !test.ignored() && outcome.remediation() == null) {
            conditions = Conditions.set(conditions, Conditions.ready(false, desired.generation, reason, message));
        }
        status.put("conditions", conditions);
        List<FluxEvent> events = new ArrayList<>(attempt.events());
        events.add(1, Events.of(r.object(), test.succeeded() ? FluxEvent.INFO : FluxEvent.ERROR, reason, message,
                revision, controller));
        return new ReleaseAttempt(attempt.rows(), attempt.inventory(), attempt.release(), status, List.copyOf(events),
                attempt.nextRun(), attempt.rateLimited());
    }
}
