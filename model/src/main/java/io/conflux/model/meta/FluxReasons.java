package io.conflux.model.meta;

/**
 * The condition and event reasons Flux's controllers use ({@code github.com/fluxcd/pkg/apis/meta} and the
 * kustomize-controller and source-controller API packages), so that alerts and {@code flux get} read the same.
 */
public final class FluxReasons {
    private FluxReasons() {
    }

    public static final String RECONCILIATION_SUCCEEDED = "ReconciliationSucceeded";
    public static final String RECONCILIATION_FAILED = "ReconciliationFailed";
    public static final String PROGRESSING = "Progressing";
    public static final String DEPENDENCY_NOT_READY = "DependencyNotReady";
    public static final String BUILD_FAILED = "BuildFailed";
    public static final String ARTIFACT_FAILED = "ArtifactFailed";
    public static final String HEALTH_CHECK_FAILED = "HealthCheckFailed";
    /**
     * A CEL expression of the spec ({@code spec.healthCheckExprs}, {@code spec.dependsOn[].readyExpr}) does not parse
     * or compile ({@code meta.InvalidCELExpressionReason}).
     */
    public static final String INVALID_CEL_EXPRESSION = "InvalidCELExpression";
    public static final String PRUNE_FAILED = "PruneFailed";
    public static final String SUCCEEDED = "Succeeded";
    public static final String GIT_OPERATION_FAILED = "GitOperationFailed";
    public static final String SUSPENDED = "Suspended";
    /** Conflux-specific: the kind is known but this version of Conflux does not reconcile it yet. */
    public static final String NOT_SUPPORTED = "NotSupported";
}
