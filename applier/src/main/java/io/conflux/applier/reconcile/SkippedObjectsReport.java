package io.conflux.applier.reconcile;

import io.conflux.applier.apply.ToolkitObjects;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.FluxEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds what {@link ToolkitObjects} left out of a Kustomization's apply to the attempt's status and events, so that
 * a skipped toolkit CRD or Flux controller is never silent: one {@code Warning} event (severity {@code error}, as
 * Flux's recorder maps Kubernetes {@code Warning}) per reason naming each object, and the condition
 * {@value #CONDITION} (after {@code Ready}; {@code True}, reason {@code ToolkitCRDSkipped} or {@code FluxControllerSkipped}, the messages
 * joined by {@code "; "}) that {@code conflux get} and {@code conflux check} show. The condition is removed once
 * nothing is skipped. A quiet periodic run (no status, no event) stays quiet. Pure.
 */
public final class SkippedObjectsReport {
    /** The condition type listing the skipped objects. */
    public static final String CONDITION = "ToolkitObjectsSkipped";

    private SkippedObjectsReport() {
    }

    /**
     * @param attempt    what the apply wrote
     * @param r          the Kustomization
     * @param skipped    the objects not applied (empty: the condition is removed)
     * @param revision   the applied source revision, for the events' metadata
     * @param controller the events' {@code reportingController}
     * @return {@code attempt} with the condition and events added; {@code attempt} itself when it writes no status
     */
    @SuppressWarnings("unchecked")
    static AppliedAttempt report(AppliedAttempt attempt, Reconcilable r, List<ToolkitObjects.Skipped> skipped,
                                 String revision, String controller) {
        if (attempt.status() == null) {
            return attempt;
        }
        Map<String, Object> status = new LinkedHashMap<>(attempt.status());
        List<Condition> conditions = new ArrayList<>((List<Condition>) status.getOrDefault("conditions", List.of()));
        String since = conditions.stream().filter(c -> CONDITION.equals(c.type())).map(Condition::lastTransitionTime)
                .filter(java.util.Objects::nonNull).findFirst().orElse(Conditions.now());
        conditions.removeIf(c -> CONDITION.equals(c.type()));
        List<FluxEvent> events = new ArrayList<>(attempt.events());
        if (!skipped.isEmpty()) {
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            skipped.forEach(s -> byReason.computeIfAbsent(s.reason(), k -> new ArrayList<>()).add(s.message()));
            String message = String.join("; ", skipped.stream().map(ToolkitObjects.Skipped::message).toList());
            Long generation = r.object().getMetadata().getGeneration();
            conditions.add(new Condition(CONDITION, "True", generation, since, skipped.get(0).reason(), message));
            byReason.forEach((reason, messages) -> events.add(Events.of(r.object(), FluxEvent.ERROR, reason,
                    String.join("\n", messages), revision, controller)));
        }
        status.put("conditions", conditions);
        return new AppliedAttempt(attempt.history(), attempt.inventory(), status, events, attempt.nextRun());
    }
}
