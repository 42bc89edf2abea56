package io.conflux.notifier.kubeevent;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.topic.FluxEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Kubernetes Event of a Conflux event: fields as Flux fills them, series counting, redeliveries, bounds. */
class KubeEventTest {
    private static final FluxEvent.InvolvedObject APPS = new FluxEvent.InvolvedObject("Kustomization", "flux-system",
            "apps", "0b6c1b1e-0000-4000-8000-000000000001", "kustomize.toolkit.fluxcd.io/v1", "42");

    private static FluxEvent event(String severity, String reason, String message, String at) {
        return new FluxEvent(APPS, severity, at, message, reason,
                Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"), "conflux-applier", "applier-0");
    }

    @Test
    void anErrorIsAWarningOnTheInvolvedObjectWithFluxsReason() {
        Map<String, Object> e = KubeEvent.create(event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:00:00Z"),
                "conflux-notifier", "notifier-0");
        assertThat(e).containsEntry("apiVersion", "events.k8s.io/v1").containsEntry("kind", "Event")
                .containsEntry("type", "Warning").containsEntry("reason", "HealthCheckFailed")
                .containsEntry("action", "HealthCheckFailed").containsEntry("note", "timeout")
                .containsEntry("reportingController", "conflux-applier").containsEntry("reportingInstance", "applier-0")
                .containsEntry("eventTime", "2026-12-06T10:00:00.000000Z");
        assertThat(map(e.get("regarding"))).containsEntry("kind", "Kustomization")
                .containsEntry("namespace", "flux-system").containsEntry("name", "apps")
                .containsEntry("apiVersion", "kustomize.toolkit.fluxcd.io/v1").containsEntry("resourceVersion", "42");
        Map<String, Object> metadata = map(e.get("metadata"));
        assertThat(metadata.get("namespace")).isEqualTo("flux-system");
        assertThat(metadata.get("name").toString()).matches("apps\\.[0-9a-f]{16}");
        assertThat(map(metadata.get("annotations"))).containsEntry("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc");
        assertThat(KubeEvent.create(event("info", "ReconciliationSucceeded", "ok", "2026-12-06T10:00:00Z"), "c", "i"))
                .containsEntry("type", "Normal");
    }

    @Test
    void theSameEventHasTheSameNameAndAnotherMessageAnother() {
        FluxEvent one = event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:00:00Z");
        FluxEvent later = event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:05:00Z");
        FluxEvent other = event("error", "HealthCheckFailed", "another message", "2026-12-06T10:00:00Z");
        assertThat(KubeEvent.name(later)).isEqualTo(KubeEvent.name(one));
        assertThat(KubeEvent.name(other)).isNotEqualTo(KubeEvent.name(one));
    }

    @Test
    void aRepeatLaterCountsARedeliveryDoesNot() {
        FluxEvent first = event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:00:00Z");
        Map<String, Object> created = KubeEvent.create(first, "c", "i");
        assertThat(KubeEvent.repeat(created, first)).as("the same record again").isEmpty();

        Map<String, Object> second = KubeEvent.repeat(created,
                event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:05:00Z")).orElseThrow();
        assertThat(map(second.get("series"))).containsEntry("count", 2L)
                .containsEntry("lastObservedTime", "2026-12-06T10:05:00.000000Z");

        Map<String, Object> withSeries = Map.of("eventTime", "2026-12-06T10:00:00.000000Z", "series",
                Map.of("count", 2, "lastObservedTime", "2026-12-06T10:05:00.000000Z"));
        assertThat(KubeEvent.repeat(withSeries, event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:05:00Z")))
                .isEmpty();
        assertThat(map(KubeEvent.repeat(withSeries,
                event("error", "HealthCheckFailed", "timeout", "2026-12-06T10:07:00Z")).orElseThrow().get("series")))
                .containsEntry("count", 3L);
    }

    @Test
    void aLongMessageIsCutToTheApisLimitAndAClusterScopedObjectsEventGoesToDefault() {
        String note = KubeEvent.note(event("error", "BuildFailed", "é".repeat(2000), "2026-12-06T10:00:00Z"));
        assertThat(note.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(KubeEvent.NOTE_LIMIT);
        assertThat(note).endsWith("...");
        FluxEvent clusterScoped = new FluxEvent(new FluxEvent.InvolvedObject("Namespace", null, "apps", null, "v1", null),
                "info", "2026-12-06T10:00:00Z", "m", "Progressing", null, null, null);
        assertThat(KubeEvent.namespace(clusterScoped)).isEqualTo("default");
        Map<String, Object> e = KubeEvent.create(clusterScoped, "conflux-notifier", "notifier-0");
        assertThat(e).containsEntry("reportingController", "conflux-notifier").containsEntry("reportingInstance", "notifier-0");
        assertThat(map(e.get("metadata"))).doesNotContainKey("annotations");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** The one-pass cut finds the prefix the former loop (shorter prefixes encoded in turn) found. */
    @Test
    void aLongNoteIsCutWhereEncodingEveryShorterPrefixCutIt() {
        Random random = new Random(5);
        String[] pieces = {"a", "é", "€", "\uD83D\uDE00", "\uD83D", "\uDE00", "\n"};
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            int length = 300 + random.nextInt(900);
            while (text.length() < length) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String message = text.toString();
            int limit = 200 + random.nextInt(1000);
            int end = message.length();
            while (message.substring(0, end).getBytes(StandardCharsets.UTF_8).length > limit) {
                end--;
            }
            assertThat(KubeEvent.fittingPrefix(message, limit)).as(message + " / " + limit).isEqualTo(end);
        }
    }
}
