package io.conflux.applier.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.reconcile.FailedAttempt.Cause;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.ObjectKey;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What an attempt stopped before applying (render failure, dependsOn not ready), or a HelmRelease's release path that
 * failed with an error, records and writes, and when it runs next.
 */
class FailedAttemptTest {
    static final String REVISION = "main@sha1:0123456789abcdef0123456789abcdef01234567";
    static final String NOT_READY = "dependency 'flux-system/infra' is not ready";
    static final String CONTROLLER = "conflux-applier";

    /** kustomize-controller's event on a dependency not ready: info, its Ready reason, a fixed message, the revision. */
    static final Cause KS_NOT_READY = new Cause("DependencyNotReady", NOT_READY, true, "info",
            "Dependencies do not meet ready condition, retrying in 30s", true);

    @Test
    void aDependencyNotReadyIsReadyFalseWithReasonDependencyNotReadyAndAnInfoEventAsKustomizeControllerEmits() {
        Reconcilable apps = kustomization(null, null);
        Reconcilable infra = infra("False");
        Optional<FailedAttempt.Cause> cause = FailedAttempt.before(apps, desired(null), lookup(infra), Fixtures.RETRY);

        assertThat(cause).contains(KS_NOT_READY);
        FailedAttempt attempt = FailedAttempt.of(apps, desired(null), cause.orElseThrow(), Duration.ofMillis(5), Fixtures.RETRY,
                CONTROLLER);
        assertThat(attempt.repeated()).isFalse();
        assertThat(ready(attempt)).extracting(Condition::status, Condition::reason, Condition::message, Condition::observedGeneration)
                .containsExactly("False", "DependencyNotReady", NOT_READY, 2L);
        assertThat(attempt.status()).containsEntry("lastAttemptedRevision", REVISION).containsEntry("observedGeneration", 2L)
                .doesNotContainKey("lastHandledReconcileAt");
        // kustomize-controller: r.event(obj, revision, originRevision, EventSeverityInfo, "Dependencies do not meet ...")
        assertThat(attempt.events()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo("info");
            assertThat(e.reason()).isEqualTo("DependencyNotReady");
            assertThat(e.message()).isEqualTo("Dependencies do not meet ready condition, retrying in 30s");
            assertThat(e.metadata()).containsEntry("kustomize.toolkit.fluxcd.io/revision", REVISION);
        });
        // Flux's --requeue-dependency, not the retryInterval (here defaulting to the 10m interval)
        assertThat(attempt.nextRun()).isEqualTo(Duration.ofSeconds(30));
        assertThat(attempt.rateLimited()).isFalse();

        assertThat(FailedAttempt.before(apps, desired(null), lookup(infra("True")), Fixtures.RETRY)).isEmpty();
    }

    @Test
    void aHelmReleasesDependencyNotReadyIsAnInfoEventWithTheDependencysMessageAndNoRevisionAsHelmControllerEmits() {
        Reconcilable.OfHelmRelease release = Fixtures.helmRelease("\"interval\":\"1h\"", null);
        Cause cause = FailedAttempt.dependencyNotReady(release, NOT_READY, Duration.ofSeconds(30));
        FailedAttempt attempt = FailedAttempt.of(release, desired(null), cause, Duration.ZERO, Fixtures.RETRY, CONTROLLER);

        // helm-controller: r.Eventf(obj, corev1.EventTypeNormal, DependencyNotReady, "%s", err.Error())
        assertThat(attempt.events()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo("info");
            assertThat(e.reason()).isEqualTo("DependencyNotReady");
            assertThat(e.message()).isEqualTo(NOT_READY);
            assertThat(e.metadata()).isEmpty();
        });
    }

    @Test
    void aDependencyWaitIsReportedOnceNotOnEachLookEveryRequeueDependency() {
        Reconcilable waiting = kustomization(readyFalse("DependencyNotReady", NOT_READY), null);
        FailedAttempt again = FailedAttempt.of(waiting, desired(null), KS_NOT_READY, Duration.ZERO, Fixtures.RETRY,
                CONTROLLER);
        assertThat(again.events()).isEmpty();
        assertThat(again.status()).isNull();
        assertThat(again.rows()).isEmpty(); // the wait's first look wrote its row: nothing was attempted since
        assertThat(again.nextRun()).isEqualTo(Duration.ofSeconds(30));

        // another dependency now blocks: a new wait, reported and recorded
        Cause other = new Cause("DependencyNotReady", "dependency 'flux-system/crds' is not ready", true, "info",
                "Dependencies do not meet ready condition, retrying in 30s", true);
        FailedAttempt changed = FailedAttempt.of(waiting, desired(null), other, Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(changed.events()).hasSize(1);
        assertThat(changed.rows()).hasSize(1);
    }

    @Test
    void aRenderFailureComesBeforeTheDependenciesAndIsAnEvent() {
        assertThat(FailedAttempt.before(kustomization(null, null), desired("kustomize build failed: no kustomization.yaml"),
                lookup(infra("False")), Fixtures.RETRY)).contains(new FailedAttempt.Cause("BuildFailed",
                "kustomize build failed: no kustomization.yaml", true));
    }

    @Test
    void aRepeatedFailureIsStillAHistoryRowButNeitherAStatusWriteNorAnEvent() {
        Reconcilable apps = kustomization(readyFalse("BuildFailed", "bad"), null);
        FailedAttempt attempt = FailedAttempt.of(apps, desired("bad"), new FailedAttempt.Cause("BuildFailed", "bad", true),
                Duration.ofMillis(7), Fixtures.RETRY, CONTROLLER);

        assertThat(attempt.repeated()).isTrue();
        assertThat(attempt.status()).isNull();
        assertThat(attempt.history()).isNotNull();
        assertThat(attempt.history().objectKey).isEqualTo("Kustomization/default/apps");
        assertThat(attempt.events()).isEmpty();
        assertThat(attempt.history().reason).isEqualTo("BuildFailed");
        assertThat(attempt.history().message).isEqualTo("bad");
        assertThat(attempt.history().sourceRevision).isEqualTo(REVISION);
        assertThat(attempt.history().ready).isFalse();
        assertThat(attempt.history().durationMs).isEqualTo(7);
    }

    @Test
    void aRequestedReconcileIsHandledEvenWhenTheFailureRepeats() {
        String requestedAt = "2026-12-04T19:00:00.000000000Z";
        Reconcilable apps = kustomization(readyFalse("DependencyNotReady", NOT_READY), requestedAt);
        FailedAttempt attempt = FailedAttempt.of(apps, desired(null), KS_NOT_READY, Duration.ZERO, Fixtures.RETRY,
                CONTROLLER);

        assertThat(attempt.repeated()).isTrue(); // no second event
        assertThat(attempt.events()).isEmpty();
        assertThat(attempt.rows()).hasSize(1); // a request handled is an attempt worth a row
        assertThat(attempt.status()).containsEntry("lastHandledReconcileAt", requestedAt);
        assertThat(ready(attempt)).extracting(Condition::status, Condition::reason).containsExactly("False", "DependencyNotReady");

        Reconcilable handled = kustomization(readyFalse("DependencyNotReady", NOT_READY).replace("\"conditions\"",
                "\"lastHandledReconcileAt\":\"" + requestedAt + "\",\"conditions\""), requestedAt);
        assertThat(FailedAttempt.of(handled, desired(null), KS_NOT_READY,
                Duration.ZERO, Fixtures.RETRY, CONTROLLER).status()).isNull();
    }

    @Test
    void aFirstFailureOnARequestedReconcileWritesLastHandledReconcileAt() {
        Reconcilable apps = kustomization(null, "now");
        FailedAttempt attempt = FailedAttempt.of(apps, desired("bad"), new FailedAttempt.Cause("BuildFailed", "bad", true),
                Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(attempt.repeated()).isFalse();
        assertThat(attempt.status()).containsEntry("lastHandledReconcileAt", "now");
        assertThat(ready(attempt).reason()).isEqualTo("BuildFailed");
        assertThat(attempt.events()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo("error");
            assertThat(e.reason()).isEqualTo("BuildFailed");
            assertThat(e.message()).isEqualTo("bad");
            assertThat(e.reportingController()).isEqualTo(CONTROLLER);
            assertThat(e.metadata()).containsEntry("kustomize.toolkit.fluxcd.io/revision", REVISION);
        });
        assertThat(attempt.nextRun()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aDependencyNotReadyIsLookedAtAgainAfterRequeueDependencyAlwaysTheSameWhateverTheRetryInterval() {
        Cause notReady = KS_NOT_READY;
        for (String retryInterval : new String[] {"5s", "2m"}) {
            Reconcilable apps = Fixtures.kustomization("\"interval\":\"10m\",\"retryInterval\":\"" + retryInterval + "\"",
                    null);
            assertThat(FailedAttempt.of(apps, desired(null), notReady, Duration.ZERO, Fixtures.RETRY, CONTROLLER).nextRun())
                    .isEqualTo(Duration.ofSeconds(30));
        }
        // still waiting: the same 30s again, no backoff (kustomize-controller and helm-controller requeue so)
        Reconcilable waiting = kustomization(readyFalse("DependencyNotReady", NOT_READY), null);
        FailedAttempt again = FailedAttempt.of(waiting, desired(null), notReady, Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(again.repeated()).isTrue();
        assertThat(again.nextRun()).isEqualTo(Duration.ofSeconds(30));
        // a HelmRelease waits the same
        Reconcilable.OfHelmRelease release = Fixtures.helmRelease("\"interval\":\"1h\"", null);
        assertThat(FailedAttempt.of(release, desired(null), notReady, Duration.ZERO, Fixtures.RETRY, CONTROLLER).nextRun())
                .isEqualTo(Duration.ofSeconds(30));
        // any other failure keeps the retryInterval
        Reconcilable apps = Fixtures.kustomization("\"interval\":\"10m\",\"retryInterval\":\"2m\"", null);
        assertThat(FailedAttempt.of(apps, desired("bad"), new Cause("BuildFailed", "bad", true), Duration.ZERO,
                Fixtures.RETRY, CONTROLLER).nextRun()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void anErrorInAHelmReleasesReleasePathIsReadyFalseReconcileErrorRetriedWithTheRateLimitersBackoff() {
        Reconcilable.OfHelmRelease release = Fixtures.helmRelease("\"interval\":\"1h\"", null);
        RuntimeException error = new NullPointerException("Anchor is required in AliasEvent");

        FailedAttempt first = FailedAttempt.ofError(release, desired(null), error, 0, Duration.ofMillis(3), Fixtures.RETRY,
                CONTROLLER);
        assertThat(first.rateLimited()).isTrue();
        assertThat(first.nextRun()).isEqualTo(Duration.ofMillis(750)); // --min-retry-delay, not the 1h interval
        assertThat(ready(first)).extracting(Condition::status, Condition::reason, Condition::message)
                .containsExactly("False", "ReconcileError", "NullPointerException: Anchor is required in AliasEvent");
        assertThat(first.history().reason).isEqualTo("ReconcileError");
        assertThat(first.history().ready).isFalse();
        assertThat(first.events()).singleElement().satisfies(e -> {
            assertThat(e.severity()).isEqualTo("error");
            assertThat(e.reason()).isEqualTo("ReconcileError");
        });
        // nothing counted against spec.install/upgrade.remediation: no release state, no inventory written
        assertThat(first.release()).isNull();
        assertThat(first.inventory()).isNull();

        // the same error again, already reported: a history row only, after twice the wait
        Reconcilable.OfHelmRelease reported = Fixtures.helmRelease("\"interval\":\"1h\"",
                readyFalse("ReconcileError", "NullPointerException: Anchor is required in AliasEvent"));
        FailedAttempt second = FailedAttempt.ofError(reported, desired(null), new CompletionException(error), 1,
                Duration.ZERO, Fixtures.RETRY, CONTROLLER);
        assertThat(second.repeated()).isTrue();
        assertThat(second.status()).isNull();
        assertThat(second.events()).isEmpty();
        assertThat(second.rateLimited()).isTrue();
        assertThat(second.nextRun()).isEqualTo(Duration.ofMillis(1500));
        assertThat(FailedAttempt.ofError(reported, desired(null), error, 2, Duration.ZERO, Fixtures.RETRY, CONTROLLER)
                .nextRun()).isEqualTo(Duration.ofSeconds(3));
        assertThat(FailedAttempt.ofError(reported, desired(null), error, 40, Duration.ZERO, Fixtures.RETRY, CONTROLLER)
                .nextRun()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void anErrorWithoutAMessageIsNamedByItsClass() {
        assertThat(FailedAttempt.describe(new ExecutionException(new IllegalStateException())))
                .isEqualTo("IllegalStateException");
    }

    @SuppressWarnings("unchecked")
    private static Condition ready(FailedAttempt attempt) {
        return ((List<Condition>) attempt.status().get("conditions")).stream()
                .filter(c -> c.type().equals("Ready")).findFirst().orElseThrow();
    }

    private static String readyFalse(String reason, String message) {
        return "{\"lastAttemptedRevision\":\"" + REVISION + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\","
                + "\"observedGeneration\":2,\"reason\":\"" + reason + "\",\"message\":\"" + message + "\"}]}";
    }

    private static DesiredState desired(String error) {
        DesiredState d = new DesiredState();
        d.objectKey = "Kustomization/default/apps";
        d.generation = 2;
        d.sourceRevision = REVISION;
        d.bundleDigest = error == null ? "sha256:abc" : null;
        d.reason = error == null ? null : "BuildFailed";
        d.error = error;
        return d;
    }

    private static Reconcilable kustomization(String status, String requestedAt) {
        String annotations = requestedAt == null ? "" : ",\"annotations\":{\"reconcile.fluxcd.io/requestedAt\":\"" + requestedAt + "\"}";
        return Reconcilable.of(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"apps\",\"namespace\":\"default\",\"generation\":2" + annotations + "},"
                + "\"spec\":{\"interval\":\"10m\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"flux-system\"},"
                + "\"dependsOn\":[{\"name\":\"infra\",\"namespace\":\"flux-system\"}]}"
                + (status == null ? "" : ",\"status\":" + status) + "}", Kustomization.class)).orElseThrow();
    }

    private static Reconcilable infra(String ready) {
        return Reconcilable.of(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"infra\",\"namespace\":\"flux-system\",\"generation\":1},"
                + "\"spec\":{\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"other\"}},"
                + "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + ready + "\",\"observedGeneration\":1}]}}",
                Kustomization.class)).orElseThrow();
    }

    private static Function<ObjectKey, Optional<Reconcilable>> lookup(Reconcilable... all) {
        Map<ObjectKey, Reconcilable> byKey = new java.util.HashMap<>();
        for (Reconcilable r : all) {
            byKey.put(r.key(), r);
        }
        return key -> Optional.ofNullable(byKey.get(key));
    }
}
