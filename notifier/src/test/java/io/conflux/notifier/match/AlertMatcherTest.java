package io.conflux.notifier.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.Alert;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.topic.FluxEvent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlertMatcherTest {
    private static final LabelLookup NO_LABELS = o -> Optional.empty();

    static Alert alert(String namespace, String severity, List<AlertSpec.EventSource> sources, List<String> inclusion,
                       List<String> exclusion, Boolean suspend) {
        Alert alert = new Alert();
        alert.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("a").build());
        alert.setSpec(new AlertSpec(new LocalObjectReference("slack"), severity, sources, inclusion, exclusion, null,
                null, suspend));
        return alert;
    }

    static AlertSpec.EventSource source(String kind, String name, String namespace, Map<String, String> labels) {
        return new AlertSpec.EventSource(null, kind, name, namespace, labels);
    }

    static FluxEvent event(String kind, String namespace, String name, String severity, String message) {
        return new FluxEvent(new FluxEvent.InvolvedObject(kind, namespace, name, null,
                "kustomize.toolkit.fluxcd.io/v1", null), severity, "2026-11-21T22:00:00Z", message,
                "ReconciliationSucceeded", Map.of(), "conflux-applier", null);
    }

    @Test
    void infoSeverityTakesEveryEventAndErrorOnlyErrors() {
        var sources = List.of(source("Kustomization", "apps", null, null));
        Alert info = alert("flux-system", "info", sources, null, null, null);
        Alert error = alert("flux-system", "error", sources, null, null, null);
        Alert unset = alert("flux-system", null, sources, null, null, null);
        FluxEvent infoEvent = event("Kustomization", "flux-system", "apps", "info", "applied");
        FluxEvent errorEvent = event("Kustomization", "flux-system", "apps", "error", "failed");

        assertThat(AlertMatcher.matches(infoEvent, info, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(errorEvent, info, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(infoEvent, error, NO_LABELS)).isFalse();
        assertThat(AlertMatcher.matches(errorEvent, error, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(infoEvent, unset, NO_LABELS)).isTrue();
    }

    @Test
    void sourceNamespaceDefaultsToTheAlertsAndNameMayBeAWildcard() {
        Alert alert = alert("flux-system", "info", List.of(source("Kustomization", "*", null, null)), null, null, null);

        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "anything", "info", "m"), alert, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(event("Kustomization", "other", "anything", "info", "m"), alert, NO_LABELS)).isFalse();
        assertThat(AlertMatcher.matches(event("GitRepository", "flux-system", "anything", "info", "m"), alert, NO_LABELS)).isFalse();

        Alert named = alert("flux-system", "info", List.of(source("Kustomization", "apps", "team", null)), null, null, null);
        assertThat(AlertMatcher.matches(event("Kustomization", "team", "apps", "info", "m"), named, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(event("Kustomization", "team", "infra", "info", "m"), named, NO_LABELS)).isFalse();
        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "apps", "info", "m"), named, NO_LABELS)).isFalse();
    }

    @Test
    void matchLabelsNeedEveryLabelOnTheInvolvedObject() {
        Alert alert = alert("flux-system", "info",
                List.of(source("Kustomization", "*", null, Map.of("team", "a", "tier", "web"))), null, null, null);
        FluxEvent e = event("Kustomization", "flux-system", "apps", "info", "m");
        List<FluxEvent.InvolvedObject> asked = new ArrayList<>();

        assertThat(AlertMatcher.matches(e, alert, o -> {
            asked.add(o);
            return Optional.of(Map.of("team", "a", "tier", "web", "extra", "x"));
        })).isTrue();
        assertThat(asked).extracting(FluxEvent.InvolvedObject::name).containsExactly("apps");
        assertThat(AlertMatcher.matches(e, alert, o -> Optional.of(Map.of("team", "a")))).isFalse();
        assertThat(AlertMatcher.matches(e, alert, o -> Optional.of(Map.of("team", "b", "tier", "web")))).isFalse();
        assertThat(AlertMatcher.matches(e, alert, NO_LABELS)).as("unreadable object").isFalse();
    }

    @Test
    void labelsAreNotReadWithoutMatchLabels() {
        Alert alert = alert("flux-system", "info", List.of(source("Kustomization", "*", null, null)), null, null, null);
        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "apps", "info", "m"), alert, o -> {
            throw new AssertionError("labels read");
        })).isTrue();
    }

    @Test
    void inclusionListRequiresAMatchAndExclusionListDrops() {
        var sources = List.of(source("Kustomization", "*", null, null));
        Alert included = alert("flux-system", "info", sources, List.of("^Reconciliation.*", "applied"), null, null);
        Alert excluded = alert("flux-system", "info", sources, null, List.of("no changes", "[invalid"), null);

        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "a", "info", "Deployment applied"), included, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "a", "info", "Reconciliation finished"), included, NO_LABELS)).isTrue();
        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "a", "info", "health check failed"), included, NO_LABELS)).isFalse();

        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "a", "info", "there were no changes today"), excluded, NO_LABELS)).isFalse();
        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "a", "info", "something changed"), excluded, NO_LABELS))
                .as("an exclusion that does not compile excludes nothing").isTrue();
    }

    @Test
    void suspendedAlertsMatchNothing() {
        Alert alert = alert("flux-system", "info", List.of(source("Kustomization", "*", null, null)), null, null, true);
        assertThat(AlertMatcher.matches(event("Kustomization", "flux-system", "a", "info", "m"), alert, NO_LABELS)).isFalse();
    }

    @Test
    void matchingKeepsTheAlertsThatMatch() {
        Alert kustomizations = alert("flux-system", "info", List.of(source("Kustomization", "*", null, null)), null, null, null);
        Alert sources = alert("flux-system", "info", List.of(source("GitRepository", "*", null, null)), null, null, null);
        Alert both = alert("flux-system", "error", List.of(source("GitRepository", "*", null, null),
                source("Kustomization", "apps", null, null)), null, null, null);

        assertThat(AlertMatcher.matching(event("Kustomization", "flux-system", "apps", "error", "m"),
                List.of(kustomizations, sources, both), NO_LABELS)).containsExactly(kustomizations, both);
    }
}
