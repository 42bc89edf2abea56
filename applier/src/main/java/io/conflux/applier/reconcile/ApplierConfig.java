package io.conflux.applier.reconcile;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/** The applier's keys ({@code conflux.applier.*}), documented in {@code application.properties}. */
@ConfigMapping(prefix = "conflux.applier")
public interface ApplierConfig {

    /** {@code conflux.applier.field-manager}: the server-side apply field manager. */
    @WithName("field-manager")
    String fieldManager();

    /**
     * {@code conflux.applier.health-poll-interval}: time between two reads of objects under a health check, and of the
     * CustomResourceDefinitions and Namespaces awaited before the rest of a Kustomization's bundle is applied.
     */
    @WithName("health-poll-interval")
    java.time.Duration healthPollInterval();

    /**
     * {@code conflux.applier.default-service-account}: the service account impersonated (in the object's namespace)
     * when a Kustomization or HelmRelease sets no {@code spec.serviceAccountName}, Flux's
     * {@code --default-service-account}; empty (unset) means the applier's own identity.
     */
    @WithName("default-service-account")
    java.util.Optional<String> defaultServiceAccount();

    /**
     * {@code conflux.applier.release-retry-interval}: deprecated and ignored, unset by default. It was a fixed wait
     * before a failed HelmRelease install or upgrade with remediation retries left was tried again; such a failure now
     * runs again after the rate limiter's backoff ({@code min-retry-delay} doubling to {@code max-retry-delay}), as
     * helm-controller requeues it ({@link RetryPolicy#deprecatedReleaseRetryInterval}: a warning at start when set).
     */
    @WithName("release-retry-interval")
    java.util.Optional<java.time.Duration> releaseRetryInterval();

    /**
     * {@code conflux.applier.requeue-dependency}: time before a Kustomization or HelmRelease whose {@code dependsOn} is
     * not ready is looked at again, always the same — kustomize-controller's and helm-controller's
     * {@code --requeue-dependency} ({@link RetryPolicy}); a dependency turning Ready runs it at once.
     */
    @WithName("requeue-dependency")
    java.time.Duration requeueDependency();

    /**
     * {@code conflux.applier.min-retry-delay}: time before an object runs again after a first error in a row — a
     * HelmRelease whose release path failed with an error, a HelmRelease install/upgrade failure with remediation
     * retries left, a run that failed (status write refused, database error, job timeout); doubled after each further
     * one in a row — Flux's {@code --min-retry-delay} ({@link RetryPolicy}).
     */
    @WithName("min-retry-delay")
    java.time.Duration minRetryDelay();

    /** {@code conflux.applier.max-retry-delay}: the longest of those waits, Flux's {@code --max-retry-delay}. */
    @WithName("max-retry-delay")
    java.time.Duration maxRetryDelay();

    /**
     * {@code conflux.applier.insecure-kubeconfig-exec}: whether a kubeconfig Secret ({@code spec.kubeConfig.secretRef})
     * may use {@code users[].user.exec} or {@code auth-provider}, which run commands and plugins inside the applier —
     * Flux's {@code --insecure-kubeconfig-exec}. False (the default) refuses such a kubeconfig: the object is
     * {@code Ready=False} with a message naming the Secret and the field.
     */
    @WithName("insecure-kubeconfig-exec")
    boolean insecureKubeconfigExec();

    /**
     * {@code conflux.applier.finalize-initial-backoff}: time before a failed finalization (the prune of a deleted
     * object's objects) is tried again; doubled after each further failure up to {@link #finalizeMaxBackoff()}.
     */
    @WithName("finalize-initial-backoff")
    java.time.Duration finalizeInitialBackoff();

    /** {@code conflux.applier.finalize-max-backoff}: the longest time between two tries of a failing finalization. */
    @WithName("finalize-max-backoff")
    java.time.Duration finalizeMaxBackoff();

    /** {@code conflux.applier.reporting-controller}: {@code reportingController} of the events emitted. */
    @WithName("reporting-controller")
    String reportingController();

    /**
     * {@code conflux.applier.stall-audit.period}: time between two rounds of the no-silent-stall audit
     * ({@code io.conflux.applier.audit.StallAuditor}); zero turns it off.
     */
    @WithName("stall-audit.period")
    java.time.Duration stallAuditPeriod();

    /**
     * {@code conflux.applier.stall-audit.grace}: the margin beyond {@code spec.interval} + {@code spec.timeout} after
     * which an object without a status for its generation is reported stalled.
     */
    @WithName("stall-audit.grace")
    java.time.Duration stallAuditGrace();
}
