package io.conflux.service;

import io.conflux.model.meta.ObjectKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The GitOps Toolkit metrics every Flux controller exports, with Flux's names, labels and buckets (fluxcd/pkg
 * {@code runtime/metrics/recorder.go} and {@code runtime/controller/metrics.go}), recorded by the service that writes
 * an object's status:
 * <ul>
 *   <li>{@code gotk_reconcile_duration_seconds} — histogram of one reconcile's duration in seconds, labels
 *       {@code kind}, {@code name}, {@code namespace}; Flux's ten buckets {@code ExponentialBucketsRange(0.01, 1800, 10)}
 *       (0.01 s … 1800 s, each about 3.84 times the one before; {@link #DURATION_BUCKETS}). Micrometer also exports
 *       {@code gotk_reconcile_duration_seconds_max}.</li>
 *   <li>{@code gotk_reconcile_condition} — gauge, labels {@code kind}, {@code name}, {@code namespace}, {@code type},
 *       {@code status}: for each recorded condition type one series per status {@code True}, {@code False},
 *       {@code Unknown}, 1 for the condition's status and 0 for the others. {@code Ready} is always recorded
 *       ({@code Unknown} when the status has no Ready condition), {@code Reconciling} and {@code Stalled} when
 *       present, as Flux's controllers do.</li>
 *   <li>{@code gotk_suspend_status} — gauge, labels {@code kind}, {@code name}, {@code namespace}: 1 when
 *       {@code spec.suspend} is true, else 0.</li>
 * </ul>
 * An object's series are removed when it is deleted ({@link #forget}), as Flux does since fluxcd/pkg 60a95d8 (2023),
 * which dropped the older {@code status="Deleted"} series; Conflux follows the current behaviour.
 *
 * <p>Thread-safe. Without a {@link MeterRegistry} (code built by hand) every call does nothing.
 */
@ApplicationScoped
public class FluxMetrics {
    /** Flux's {@code prometheus.ExponentialBucketsRange(10e-3, 1800, 10)}: seconds. */
    public static final List<Duration> DURATION_BUCKETS = exponentialRange(0.01, 1800, 10);
    /** The condition types recorded when present; {@code Ready} is recorded always. */
    static final Set<String> RECORDED_TYPES = Set.of("Ready", "Reconciling", "Stalled");
    private static final List<String> STATUSES = List.of("True", "False", "Unknown");

    @Inject
    MeterRegistry registry;

    private final Map<Meter.Id, AtomicInteger> gauges = new ConcurrentHashMap<>();

    /** For CDI. */
    public FluxMetrics() {
    }

    /** For code built by hand (tests). */
    public FluxMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Observes one reconcile's duration.
     *
     * @param key  the object reconciled
     * @param took how long the reconcile ran
     */
    public void recordDuration(ObjectKey key, Duration took) {
        if (registry == null) {
            return;
        }
        Timer.builder("gotk.reconcile.duration")
                .description("The duration in seconds of a GitOps Toolkit resource reconciliation.")
                .tags(objectTags(key))
                .serviceLevelObjectives(DURATION_BUCKETS.toArray(Duration[]::new))
                .register(registry)
                .record(took);
    }

    /**
     * Records the conditions of a status as written: {@code Ready} always, {@code Reconciling}/{@code Stalled} when
     * present. A status without a {@code conditions} list (a patch of other fields) records nothing.
     *
     * @param key   the object
     * @param patch the status fields as patched, or {@code {"status": {...}}} ({@code conditions}: a list of maps
     *              with {@code type} and {@code status}, Kubernetes' {@code metav1.Condition}, as JSON reads them)
     */
    public void recordConditions(ObjectKey key, Map<?, ?> patch) {
        Object status = patch == null ? null : patch.containsKey("status") ? patch.get("status") : patch;
        if (registry == null || !(status instanceof Map<?, ?> fields) || !(fields.get("conditions") instanceof List<?> conditions)) {
            return;
        }
        boolean ready = false;
        for (Object o : conditions) {
            if (o instanceof Map<?, ?> c && c.get("type") instanceof String type && RECORDED_TYPES.contains(type)) {
                recordCondition(key, type, String.valueOf(c.get("status")));
                ready |= type.equals("Ready");
            }
        }
        if (!ready) {
            recordCondition(key, "Ready", "Unknown");
        }
    }

    /**
     * Sets the condition's series: 1 for {@code status}, 0 for the other two of True/False/Unknown.
     *
     * @param key    the object
     * @param type   the condition type, e.g. {@code Ready}
     * @param status {@code True}, {@code False} or {@code Unknown} (anything else counts as Unknown)
     */
    public void recordCondition(ObjectKey key, String type, String status) {
        if (registry == null) {
            return;
        }
        String actual = STATUSES.contains(status) ? status : "Unknown";
        for (String s : STATUSES) {
            gauge("gotk.reconcile.condition", "The current condition status of a GitOps Toolkit resource reconciliation.",
                    objectTags(key).and("type", type, "status", s)).set(s.equals(actual) ? 1 : 0);
        }
    }

    /**
     * @param key       the object
     * @param suspended its {@code spec.suspend}
     */
    public void recordSuspend(ObjectKey key, boolean suspended) {
        if (registry == null) {
            return;
        }
        gauge("gotk.suspend.status", "The current suspend status of a GitOps Toolkit resource.", objectTags(key))
                .set(suspended ? 1 : 0);
    }

    /**
     * Removes every series of a deleted object (duration, conditions, suspend), as Flux's controllers do once their
     * finalizer is gone.
     *
     * @param key the object
     */
    public void forget(ObjectKey key) {
        if (registry == null) {
            return;
        }
        Tags tags = objectTags(key);
        for (Meter meter : List.copyOf(registry.getMeters())) {
            Meter.Id id = meter.getId();
            if (id.getName().startsWith("gotk.") && tags.stream().allMatch(t -> t.getValue().equals(id.getTag(t.getKey())))) {
                registry.remove(meter);
                gauges.remove(id);
            }
        }
    }

    private AtomicInteger gauge(String name, String help, Tags tags) {
        Meter.Id id = new Meter.Id(name, tags, null, help, Meter.Type.GAUGE);
        return gauges.computeIfAbsent(id, i -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(name, value, AtomicInteger::get).description(help).tags(tags).strongReference(true)
                    .register(registry);
            return value;
        });
    }

    /** Flux's label set of an object: {@code kind}, {@code name}, {@code namespace}. */
    static Tags objectTags(ObjectKey key) {
        return Tags.of("kind", key.kind(), "name", key.name(), "namespace", key.namespace());
    }

    /** Prometheus' {@code ExponentialBucketsRange(min, max, count)} as durations. */
    static List<Duration> exponentialRange(double min, double max, int count) {
        double factor = Math.pow(max / min, 1.0 / (count - 1));
        Duration[] buckets = new Duration[count];
        double next = min;
        for (int i = 0; i < count; i++) {
            buckets[i] = Duration.ofNanos(Math.round(next * 1e9));
            next *= factor;
        }
        return List.of(buckets);
    }
}
