package io.conflux.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Conflux's own pipeline metrics, beside Flux's ({@link FluxMetrics}); each recorded by the service named, on
 * {@code /q/metrics}:
 * <ul>
 *   <li>{@code conflux_webhook_to_applied_seconds} (applier) — histogram, label {@code kind}: from the moment the
 *       webhook receiver accepted a push (the receive time carried in {@code SourceReconcileRequest.requestedAt},
 *       {@code SourceRevision.webhookReceivedAt}, {@code RenderResult.webhookReceivedAt}) to the end of the apply of
 *       that revision; buckets {@link #LATENCY_BUCKETS}.</li>
 *   <li>{@code conflux_render_duration_seconds} (renderer) — histogram, labels {@code kind}, {@code outcome}
 *       ({@code success}, {@code failure}): one Kustomization or HelmRelease build; Flux's buckets.</li>
 *   <li>{@code conflux_bundle_size_bytes} (renderer) — distribution of rendered bundles' sizes in bytes, label
 *       {@code kind}, buckets 1 KiB … 64 MiB by powers of 4.</li>
 *   <li>{@code conflux_deliveries_total} (notifier) — counter, labels {@code provider} (the Provider's type) and
 *       {@code outcome} (the delivery's final state, e.g. {@code SENT}, {@code FAILED}, {@code DUPLICATE}).</li>
 * </ul>
 * Consumer lag per topic and partition is Kafka's own client metric, exported by Quarkus' Kafka binder
 * ({@code kafka_consumer_fetch_manager_records_lag}, {@code kafka_consumer_fetch_manager_records_lag_max}, labels
 * {@code topic}, {@code partition}, {@code client_id}).
 *
 * <p>Thread-safe. Without a {@link MeterRegistry} (code built by hand) every call does nothing.
 */
@ApplicationScoped
public class PipelineMetrics {
    /** Webhook-to-applied latency buckets: 1 s … 30 min. */
    public static final List<Duration> LATENCY_BUCKETS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(30));
    /** Bundle size buckets in bytes: 1 KiB × 4^i up to 64 MiB. */
    static final double[] SIZE_BUCKETS = {1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864};

    @Inject
    MeterRegistry registry;

    /** For CDI. */
    public PipelineMetrics() {
    }

    /** For code built by hand (tests). */
    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param kind       the applied object's kind
     * @param receivedAt RFC 3339 time the webhook was received; null or unparseable: nothing is recorded
     * @param appliedAt  when the apply finished
     */
    public void webhookToApplied(String kind, String receivedAt, Instant appliedAt) {
        if (registry == null || receivedAt == null) {
            return;
        }
        Instant received;
        try {
            received = Instant.parse(receivedAt);
        } catch (DateTimeParseException e) {
            return;
        }
        Duration latency = Duration.between(received, appliedAt);
        if (latency.isNegative()) {
            return;
        }
        Timer.builder("conflux.webhook.to.applied")
                .description("Time from a webhook's receipt to the apply of the revision it announced.")
                .tag("kind", kind)
                .serviceLevelObjectives(LATENCY_BUCKETS.toArray(Duration[]::new))
                .register(registry)
                .record(latency);
    }

    /**
     * @param kind    {@code Kustomization} or {@code HelmRelease}
     * @param success whether the build produced a bundle
     * @param took    the build's duration
     */
    public void renderDuration(String kind, boolean success, Duration took) {
        if (registry == null) {
            return;
        }
        Timer.builder("conflux.render.duration")
                .description("Duration of one render (fetch of inputs, kustomize or Helm build) of a Flux object.")
                .tags("kind", kind, "outcome", success ? "success" : "failure")
                .serviceLevelObjectives(FluxMetrics.DURATION_BUCKETS.toArray(Duration[]::new))
                .register(registry)
                .record(took);
    }

    /**
     * @param kind  {@code Kustomization} or {@code HelmRelease}
     * @param bytes the rendered bundle's size in bytes (UTF-8, before encryption at rest)
     */
    public void bundleSize(String kind, long bytes) {
        if (registry == null) {
            return;
        }
        DistributionSummary.builder("conflux.bundle.size")
                .description("Size of rendered bundles.")
                .baseUnit("bytes")
                .tag("kind", kind)
                .serviceLevelObjectives(SIZE_BUCKETS)
                .register(registry)
                .record(bytes);
    }

    /**
     * @param providerType the Provider's {@code spec.type}, e.g. {@code slack}
     * @param outcome      the delivery's final state
     */
    public void delivery(String providerType, String outcome) {
        if (registry == null) {
            return;
        }
        Counter.builder("conflux.deliveries")
                .description("Notifications delivered to Providers, by outcome.")
                .tags("provider", providerType == null ? "" : providerType, "outcome", outcome)
                .register(registry)
                .increment();
    }
}
