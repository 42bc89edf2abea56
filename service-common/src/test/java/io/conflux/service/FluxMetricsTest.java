package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.meta.ObjectKey;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flux's gotk_* series: names, labels, buckets and values as fluxcd/pkg runtime/metrics records them. */
class FluxMetricsTest {
    private static final ObjectKey APPS = new ObjectKey("Kustomization", "flux-system", "apps");

    @Test
    void bucketsAreFluxsExponentialRangeFromTenMillisecondsToHalfAnHour() {
        List<Duration> b = FluxMetrics.DURATION_BUCKETS;
        assertThat(b).hasSize(10);
        assertThat(b.get(0)).isEqualTo(Duration.ofMillis(10));
        assertThat(b.get(9).toMillis()).isBetween(1_799_999L, 1_800_001L);
        assertThat(b.get(1).toNanos() / 1e9).isCloseTo(0.0384, org.assertj.core.data.Offset.offset(0.0005));
    }

    @Test
    void conditionsAreOneSeriesPerStatusAndReadyIsUnknownWhenAbsent() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FluxMetrics metrics = new FluxMetrics(registry);
        metrics.recordConditions(APPS, Map.of("status", Map.of("conditions", List.of(
                Map.of("type", "Ready", "status", "False", "reason", "HealthCheckFailed"),
                Map.of("type", "Healthy", "status", "False")))));
        assertThat(value(registry, "Ready", "False")).isEqualTo(1);
        assertThat(value(registry, "Ready", "True")).isZero();
        assertThat(value(registry, "Ready", "Unknown")).isZero();
        assertThat(registry.find("gotk.reconcile.condition").tag("type", "Healthy").gauge()).as("not a Flux-recorded type")
                .isNull();

        metrics.recordConditions(APPS, Map.of("conditions", List.of(Map.of("type", "Reconciling", "status", "True"))));
        assertThat(value(registry, "Ready", "Unknown")).isEqualTo(1);
        assertThat(value(registry, "Ready", "False")).isZero();
        assertThat(value(registry, "Reconciling", "True")).isEqualTo(1);
        metrics.recordConditions(APPS, Map.of("lastAppliedRevision", "main@sha1:1"));
        assertThat(value(registry, "Ready", "Unknown")).as("a patch without conditions changes nothing").isEqualTo(1);
    }

    @Test
    void durationSuspendAndForgetOnDeletion() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FluxMetrics metrics = new FluxMetrics(registry);
        metrics.recordDuration(APPS, Duration.ofMillis(250));
        metrics.recordSuspend(APPS, true);
        metrics.recordCondition(APPS, "Ready", "True");
        assertThat(registry.find("gotk.reconcile.duration").tags("kind", "Kustomization", "name", "apps",
                "namespace", "flux-system").timer().count()).isEqualTo(1);
        assertThat(registry.find("gotk.suspend.status").tag("name", "apps").gauge().value()).isEqualTo(1);

        metrics.recordCondition(new ObjectKey("Kustomization", "flux-system", "other"), "Ready", "True");
        metrics.forget(APPS);
        assertThat(registry.getMeters().stream().map(Meter::getId).filter(id -> "apps".equals(id.getTag("name")))).isEmpty();
        assertThat(registry.find("gotk.reconcile.condition").tag("name", "other").gauges()).hasSize(3);
        metrics.recordSuspend(APPS, false);
        assertThat(registry.find("gotk.suspend.status").tag("name", "apps").gauge().value()).as("registered again").isZero();
    }

    private static double value(SimpleMeterRegistry registry, String type, String status) {
        return registry.find("gotk.reconcile.condition").tags("kind", "Kustomization", "name", "apps",
                "namespace", "flux-system", "type", type, "status", status).gauge().value();
    }
}
