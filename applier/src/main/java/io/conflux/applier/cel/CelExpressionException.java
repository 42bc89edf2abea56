package io.conflux.applier.cel;

/**
 * A CEL expression of a Flux object that does not parse or compile, or whose evaluation failed. The message starts
 * with the field that holds the expression, e.g. {@code spec.healthCheckExprs[0].current: …}, and never quotes the
 * values the expression was evaluated over.
 */
public final class CelExpressionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;

    /**
     * @param field  the path of the field holding the expression, e.g. {@code spec.dependsOn[1].readyExpr}
     * @param detail what went wrong (cel-java's issue text or evaluation error)
     */
    public CelExpressionException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    /** @return the path of the field holding the expression */
    public String field() {
        return field;
    }
}
