package io.conflux.applier.apply;

import io.conflux.applier.cel.CelExpression;
import io.conflux.applier.cel.CelExpressionException;
import io.conflux.applier.cel.FluxCel;
import io.conflux.model.kustomize.CustomHealthCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Kustomization's {@code spec.healthCheckExprs}, parsed: per group and kind, the CEL expressions that decide the
 * health of its objects instead of kstatus ({@link HealthStatus}), as fluxcd/pkg {@code runtime/cel}'s
 * {@code PollerWithCustomHealthChecks} and {@code StatusEvaluator} do for kustomize-controller v1.7 (Flux 2.7):
 * <ul>
 *   <li>an entry matches objects of its {@code apiVersion}'s group (any version) and its {@code kind}; when several
 *       entries name the same group and kind, the first one is used;</li>
 *   <li>an object whose {@code status.observedGeneration} differs from its {@code metadata.generation} is InProgress
 *       whatever the expressions say;</li>
 *   <li>then {@code inProgress} (if set), {@code failed} (if set) and {@code current} are evaluated in that order (the
 *       order of Flux's RFC 0009) over the object's top-level fields: the first that yields true decides InProgress,
 *       Failed or Current; none true is InProgress;</li>
 *   <li>an evaluation error (a field the object lacks, a non-bool result) makes the object's status Unknown, which is
 *       not Current: the health check waits for it until {@code spec.timeout}, as Flux, and the timeout message
 *       carries the error naming the field.</li>
 * </ul>
 * Immutable.
 */
public final class HealthCheckExprs {
    /** No expressions: every object is left to kstatus. */
    public static final HealthCheckExprs NONE = new HealthCheckExprs(Map.of());

    /** The parsed expressions of one entry; {@code inProgress} and {@code failed} may be null. */
    private record Entry(CelExpression current, CelExpression inProgress, CelExpression failed) {
    }

    /** Entries by {@code group/kind} (the core group is empty). */
    private final Map<String, Entry> byGroupKind;

    private HealthCheckExprs(Map<String, Entry> byGroupKind) {
        this.byGroupKind = byGroupKind;
    }

    /**
     * Parses every entry, as kustomize-controller does before anything else of a reconcile.
     *
     * @param checks {@code spec.healthCheckExprs}, or null
     * @return the parsed expressions
     * @throws CelExpressionException naming {@code spec.healthCheckExprs[i].current|inProgress|failed} (or
     *                                {@code .apiVersion}/{@code .kind} when missing) of the first entry that is invalid
     */
    public static HealthCheckExprs of(List<CustomHealthCheck> checks) throws CelExpressionException {
        if (checks == null || checks.isEmpty()) {
            return NONE;
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < checks.size(); i++) {
            CustomHealthCheck c = checks.get(i);
            String at = "spec.healthCheckExprs[" + i + "]";
            if (c.apiVersion() == null || c.apiVersion().isBlank()) {
                throw new CelExpressionException(at + ".apiVersion", "required");
            }
            if (c.kind() == null || c.kind().isBlank()) {
                throw new CelExpressionException(at + ".kind", "required");
            }
            String key = groupKind(c.apiVersion(), c.kind());
            if (entries.containsKey(key)) {
                continue; // Flux uses the first entry of a group and kind
            }
            if (c.current() == null || c.current().isBlank()) {
                throw new CelExpressionException(at + ".current", "required");
            }
            entries.put(key, new Entry(FluxCel.parse(at + ".current", c.current()),
                    optional(at + ".inProgress", c.inProgress()), optional(at + ".failed", c.failed())));
        }
        return new HealthCheckExprs(Map.copyOf(entries));
    }

    private static CelExpression optional(String field, String source) throws CelExpressionException {
        return source == null || source.isBlank() ? null : FluxCel.parse(field, source);
    }

    /** @return whether there are no expressions */
    public boolean isEmpty() {
        return byGroupKind.isEmpty();
    }

    /**
     * @param object an object as read from the API server (JSON tree)
     * @return its status by the expressions of its group and kind, or empty when no entry matches (kstatus decides)
     */
    public Optional<HealthStatus.Result> evaluate(Map<String, Object> object) {
        Entry entry = byGroupKind.get(groupKind(String.valueOf(object.get("apiVersion")), String.valueOf(object.get("kind"))));
        if (entry == null) {
            return Optional.empty();
        }
        Object observed = object.get("status") instanceof Map<?, ?> s ? s.get("observedGeneration") : null;
        Object generation = object.get("metadata") instanceof Map<?, ?> m ? m.get("generation") : null;
        if (observed instanceof Number o && generation instanceof Number g && o.longValue() != g.longValue()) {
            return Optional.of(HealthStatus.Result.inProgress(object.get("kind") + " generation is " + g
                    + ", but latest observed generation is " + o));
        }
        try {
            if (entry.inProgress() != null && entry.inProgress().evaluate(object)) {
                return Optional.of(HealthStatus.Result.inProgress(entry.inProgress().field() + " is true"));
            }
            if (entry.failed() != null && entry.failed().evaluate(object)) {
                return Optional.of(HealthStatus.Result.isFailed(entry.failed().field() + " is true"));
            }
            if (entry.current().evaluate(object)) {
                return Optional.of(HealthStatus.Result.isCurrent());
            }
            return Optional.of(HealthStatus.Result.inProgress(entry.current().field() + " is false"));
        } catch (CelExpressionException e) {
            return Optional.of(HealthStatus.Result.unknown(e.getMessage()));
        }
    }

    /** @return {@code group/kind} of {@code apiVersion} ({@code group/version} or {@code version}) and {@code kind} */
    private static String groupKind(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        return (slash < 0 ? "" : apiVersion.substring(0, slash)) + "/" + kind;
    }
}
