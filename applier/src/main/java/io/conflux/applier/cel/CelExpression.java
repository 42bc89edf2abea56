package io.conflux.applier.cel;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;

/**
 * A parsed (or compiled) CEL expression of a Flux object, ready to evaluate; made by {@link FluxCel}. Immutable and
 * thread-safe.
 *
 * @param field   the path of the field holding it, e.g. {@code spec.healthCheckExprs[0].failed}
 * @param source  the expression as written
 * @param program cel-java's program
 */
public record CelExpression(String field, String source, CelRuntime.Program program) {

    /**
     * Evaluates the expression to a bool, as fluxcd/pkg's {@code Expression.EvaluateBoolean}.
     *
     * @param variables the variables by name: JSON-like trees ({@code Map<String, ?>}, {@code List}, {@code String},
     *                  {@code Boolean}, {@code Integer}/{@code Long}, {@code Double}, null), e.g. an object's
     *                  top-level fields or {@code self} and {@code dep}
     * @return the result
     * @throws CelExpressionException naming {@link #field()} when the evaluation fails (a missing field: "No such
     *                                key", "No such attribute(s)"; a wrong type) or its result is not a bool
     */
    public boolean evaluate(Map<String, ?> variables) throws CelExpressionException {
        Object result;
        try {
            result = program.eval(FluxCel.normalize(variables));
        } catch (CelEvaluationException e) {
            throw new CelExpressionException(field, "failed to evaluate the CEL expression: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new CelExpressionException(field, "failed to evaluate the CEL expression: " + e);
        }
        if (result instanceof Boolean b) {
            return b;
        }
        throw new CelExpressionException(field, "the CEL expression '" + source + "' evaluated to "
                + (result == null ? "null" : "a " + result.getClass().getSimpleName()) + ", not a bool");
    }
}
