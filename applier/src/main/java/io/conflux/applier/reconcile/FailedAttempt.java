package io.conflux.applier.reconcile;

import io.conflux.applier.apply.HealthCheckExprs;
import io.conflux.applier.cel.CelExpressionException;
import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.ReconcileHistory;
import io.conflux.applier.release.HelmReasons;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * What an attempt that stops before applying anything writes — a render failure ({@code BuildFailed},
 * {@code ArtifactFailed}, …), {@code dependsOn} not ready ({@code DependencyNotReady}), an invalid spec — as
 * kustomize-controller's {@code Reconcile} does on each of these error returns: {@code Ready=False} with the reason,
 * {@code status.lastAttemptedRevision}, and {@code status.lastHandledReconcileAt} whenever a
 * {@code reconcile.fluxcd.io/requestedAt} request was handled, failure or not (so {@code flux reconcile} returns);
 * and what a HelmRelease's release path that failed with an error writes ({@link #ofError}: {@code ReconcileError}).
 * Conflux keeps a history row for every attempt; only the status write and the event of a failure that repeats the
 * one already reported (same reason, message, generation and revision, no new request) are left out, so that an
 * at-least-once redelivery or a retry changes nothing twice. A {@code dependsOn} wait that repeats the one reported
 * writes no history row either: it is a look every {@code requeue-dependency} (30s), not an attempt — nothing was
 * attempted, the row of the wait's first look already says it all, and one object waiting an hour would otherwise
 * write 120 identical rows (Flux keeps no history of it at all). The object runs again ({@link RetryPolicy}): after
 * {@code conflux.applier.requeue-dependency} when a dependency is not ready (Flux's {@code --requeue-dependency}, fixed;
 * a dependency turning Ready triggers it before that), after the rate limiter's backoff after an error, else after
 * {@code spec.retryInterval} (default: the interval), as kustomize-controller requeues a failed reconcile.
 *
 * @param history     the history row of this attempt, or null for a repeated {@code dependsOn} wait (no row)
 * @param status      the status merge patch, or null when the status already says all of it
 * @param repeated    whether the object already reports this very failure (no new event then)
 * @param events      the failure's event: one for a new failure whose cause is an event, else none
 * @param nextRun     the time until the next run
 * @param rateLimited whether it is an error the next attempt counts ({@link Attempt#rateLimited})
 */
public record FailedAttempt(ReconcileHistory history, Map<String, Object> status, boolean repeated,
                            List<FluxEvent> events, Duration nextRun, boolean rateLimited) implements Attempt {

    /**
     * Why an attempt stops before applying.
     *
     * @param reason        Flux reason for {@code Ready=False} and the event
     * @param message       the condition's message
     * @param emit          whether the failure is an event (once, when it is new)
     * @param severity      the event's {@link FluxEvent#INFO} or {@link FluxEvent#ERROR}
     * @param eventMessage  the event's message
     * @param eventRevision whether the event carries the source revision in its metadata
     */
    public record Cause(String reason, String message, boolean emit, String severity, String eventMessage,
                        boolean eventRevision) {

        /** A failure whose event is an error with the condition's message and the revision. */
        public Cause(String reason, String message, boolean emit) {
            this(reason, message, emit, FluxEvent.ERROR, message, true);
        }
    }

    /**
     * {@code dependsOn} not ready, as each controller reports it: {@code Ready=False DependencyNotReady} with the
     * dependency's message, and an info event ({@code Normal}) of reason {@code DependencyNotReady} — for a
     * Kustomization with kustomize-controller's message "Dependencies do not meet ready condition, retrying in
     * {@code <requeue-dependency>}" and the revision (its {@code r.event} with {@code EventSeverityInfo}), for a
     * HelmRelease with the dependency's message and no revision (helm-controller's {@code Eventf(obj, Normal,
     * DependencyNotReady, err)}). Both controllers emit it on each requeue and leave the duplicates to the
     * notification-controller, which refuses a repeat within its window (fluxcd/pkg {@code runtime/events}: HTTP 429);
     * Conflux emits it once per wait, as any failure that repeats ({@link #of}).
     *
     * @param message           the dependency's message ({@link DependencyCheck#blocking})
     * @param requeueDependency {@code conflux.applier.requeue-dependency}, named in the Kustomization's event
     * @return the cause
     */
    static Cause dependencyNotReady(Reconcilable r, String message, Duration requeueDependency) {
        if (r instanceof Reconcilable.OfHelmRelease) {
            return new Cause(FluxReasons.DEPENDENCY_NOT_READY, message, true, FluxEvent.INFO, message, false);
        }
        return new Cause(FluxReasons.DEPENDENCY_NOT_READY, message, true, FluxEvent.INFO,
                "Dependencies do not meet ready condition, retrying in " + GoDuration.format(requeueDependency), true);
    }

    /**
     * kustomize-controller's checks before applying, in its order: the CEL expressions of the spec
     * ({@code spec.healthCheckExprs}, {@code spec.dependsOn[].readyExpr}: {@code InvalidCELExpression}, emitted as an
     * error event), the artifact/build (here: the render result), then {@code checkDependencies}
     * ({@link #dependencyNotReady}).
     *
     * @param retry names {@code conflux.applier.requeue-dependency} in a Kustomization's {@code DependencyNotReady} event
     * @return the cause that stops this attempt, or empty when it may apply
     */
    static Optional<Cause> before(Reconcilable r, DesiredState desired, Function<ObjectKey, Optional<Reconcilable>> lookup,
                                  RetryPolicy retry) {
        Optional<String> invalid = invalidExpression(r);
        if (invalid.isPresent()) {
            return Optional.of(new Cause(FluxReasons.INVALID_CEL_EXPRESSION, invalid.get(), true));
        }
        if (desired.error != null) {
            return Optional.of(new Cause(desired.reason, desired.error, true));
        }
        return DependencyCheck.blocking(r, desired.sourceRevision, lookup)
                .map(message -> dependencyNotReady(r, message, retry.requeueDependency()));
    }

    /** @return the first CEL expression of {@code r}'s spec that does not parse or compile, as a message naming it */
    private static Optional<String> invalidExpression(Reconcilable r) {
        if (r instanceof Reconcilable.OfKustomization k) {
            try {
                HealthCheckExprs.of(k.object().getSpec().healthCheckExprs());
            } catch (CelExpressionException e) {
                return Optional.of(e.getMessage());
            }
        }
        return DependencyCheck.invalidExpression(r);
    }

    /**
     * @param retry      the applier's requeues: a {@code DependencyNotReady} cause runs again after
     *                   {@link RetryPolicy#requeueDependency}, any other after {@code spec.retryInterval} (else the
     *                   interval)
     * @param controller the events' {@code reportingController}
     * @return what the failed attempt {@code cause} of {@code r} at {@code desired} writes, having taken {@code took}
     */
    static FailedAttempt of(Reconcilable r, DesiredState desired, Cause cause, Duration took, RetryPolicy retry,
                            String controller) {
        Duration nextRun = FluxReasons.DEPENDENCY_NOT_READY.equals(cause.reason()) ? retry.requeueDependency()
                : Records.nextRunIn(r, false);
        return build(r, desired, cause, took, nextRun, false, controller);
    }

    /**
     * A HelmRelease's release path failed with an error that is not an install/upgrade failure (an exception: a bundle
     * that does not parse, a Helm release record that cannot be written): helm-controller returns such an error to
     * controller-runtime, which requeues the object through its rate limiter. {@code Ready=False} with reason
     * {@code ReconcileError} and the error as message, an error event (once: a repeat of the same error writes neither),
     * nothing counted by {@code spec.install/upgrade.remediation}; the next run after
     * {@link RetryPolicy#afterError}{@code (errorsBefore)}.
     *
     * @param error        what the release path failed with ({@link java.util.concurrent.CompletionException}s
     *                     unwrapped)
     * @param errorsBefore the errors in a row {@code r} had before this one ({@link Run#errors})
     * @param controller   the events' {@code reportingController}
     * @return what the attempt writes, {@link #rateLimited} true
     */
    static FailedAttempt ofError(Reconcilable r, DesiredState desired, Throwable error, int errorsBefore, Duration took,
                                 RetryPolicy retry, String controller) {
        return build(r, desired, new Cause(HelmReasons.RECONCILE_ERROR, describe(error), true), took,
                retry.afterError(errorsBefore), true, controller);
    }

    /** @return "SimpleName: message" of the innermost of nested completion/execution exceptions */
    static String describe(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static FailedAttempt build(Reconcilable r, DesiredState desired, Cause cause, Duration took,
                                       Duration nextRun, boolean rateLimited, String controller) {
        List<Condition> conditions = r.status() == null ? null : r.status().conditions();
        Optional<Condition> current = Conditions.find(conditions, Condition.READY);
        // a new revision is a new attempt (Flux records every attempted revision in status.lastAttemptedRevision)
        boolean repeated = current.isPresent() && "False".equals(current.get().status())
                && cause.reason().equals(current.get().reason()) && cause.message().equals(current.get().message())
                && Long.valueOf(desired.generation).equals(current.get().observedGeneration())
                && (desired.sourceRevision == null
                        || (r.status() != null && desired.sourceRevision.equals(r.status().lastAttemptedRevision())));
        boolean requestHandled = r.requestedAt() == null
                || (r.status() != null && r.requestedAt().equals(r.status().lastHandledReconcileAt()));
        ReconcileHistory history = Records.history(r.key(), desired, cause.reason(), false, cause.message(), took);
        if (repeated && requestHandled) {
            return new FailedAttempt(repeatedWaitWritesNoRow(cause) ? null : history, null, true, List.of(), nextRun,
                    rateLimited);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", desired.generation);
        status.put("conditions", Conditions.set(conditions,
                Conditions.ready(false, desired.generation, cause.reason(), cause.message())));
        if (desired.sourceRevision != null) {
            status.put("lastAttemptedRevision", desired.sourceRevision);
        }
        if (r.requestedAt() != null && !Objects.equals(r.requestedAt(), r.status() == null ? null : r.status().lastHandledReconcileAt())) {
            status.put("lastHandledReconcileAt", r.requestedAt());
        }
        List<FluxEvent> events = cause.emit() && !repeated
                ? List.of(Events.of(r.object(), cause.severity(), cause.reason(), cause.eventMessage(),
                        cause.eventRevision() ? desired.sourceRevision : null, controller))
                : List.of();
        return new FailedAttempt(history, status, repeated, events, nextRun, rateLimited);
    }

    /**
     * @return whether a failure of {@code cause} that repeats the one reported (and handles no request) writes no
     *         history row: only a {@code dependsOn} wait, looked at every {@code requeue-dependency}
     */
    static boolean repeatedWaitWritesNoRow(Cause cause) {
        return FluxReasons.DEPENDENCY_NOT_READY.equals(cause.reason());
    }

    @Override
    public List<ReconcileHistory> rows() {
        return history == null ? List.of() : List.of(history);
    }

    @Override
    public String summary() {
        return history == null ? "still " + FluxReasons.DEPENDENCY_NOT_READY + " (no history row)" : Attempt.super.summary();
    }
}
