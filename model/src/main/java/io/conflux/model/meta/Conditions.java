package io.conflux.model.meta;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Helpers over condition lists, following {@code github.com/fluxcd/pkg/runtime/conditions}:
 * setting a condition keeps its {@code lastTransitionTime} unless its status changes.
 */
public final class Conditions {
    private Conditions() {
    }

    /** @return the condition of the given type in {@code conditions} (which may be null) */
    public static Optional<Condition> find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return Optional.empty();
        }
        return conditions.stream().filter(c -> type.equals(c.type())).findFirst();
    }

    /** @return whether the {@code Ready} condition is {@code True} and computed for {@code generation} (null: any) */
    public static boolean isReady(List<Condition> conditions, Long generation) {
        return find(conditions, Condition.READY)
                .filter(Condition::isTrue)
                .filter(c -> generation == null || c.observedGeneration() == null || generation.equals(c.observedGeneration()))
                .isPresent();
    }

    /**
     * Returns a new list with {@code condition} replacing the one of the same type; the previous
     * {@code lastTransitionTime} is kept when the status did not change, otherwise it is now.
     */
    public static List<Condition> set(List<Condition> conditions, Condition condition) {
        List<Condition> out = new ArrayList<>();
        String transition = now();
        if (conditions != null) {
            for (Condition c : conditions) {
                if (c.type().equals(condition.type())) {
                    if (c.status() != null && c.status().equals(condition.status()) && c.lastTransitionTime() != null) {
                        transition = c.lastTransitionTime();
                    }
                } else {
                    out.add(c);
                }
            }
        }
        out.add(0, new Condition(condition.type(), condition.status(), condition.observedGeneration(), transition,
                condition.reason(), condition.message()));
        return out;
    }

    /** @return a {@code Ready} condition with the given status, reason and message */
    public static Condition ready(boolean status, long generation, String reason, String message) {
        return new Condition(Condition.READY, status ? "True" : "False", generation, now(), reason, message);
    }

    /** @return the current time in RFC 3339 with second precision, as Kubernetes writes it */
    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
