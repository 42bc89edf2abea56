package io.conflux.notifier.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.AlertSpec;
import io.conflux.model.topic.FluxEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotificationEventTest {
    private static final FluxEvent.InvolvedObject APPS = new FluxEvent.InvolvedObject("Kustomization", "flux-system",
            "apps", "uid-1", "kustomize.toolkit.fluxcd.io/v1", null);

    private static FluxEvent event(Map<String, String> metadata, String message, String reason) {
        return new FluxEvent(APPS, "info", "2026-11-21T22:00:00Z", message, reason, metadata, "conflux-applier", null);
    }

    private static AlertSpec alert(Map<String, String> eventMetadata, String summary) {
        return new AlertSpec(new LocalObjectReference("p"), "info", null, null, null, eventMetadata, summary, null);
    }

    @Test
    void metadataIsCombinedInFluxPrecedenceAndGroupPrefixesAreStripped() {
        FluxEvent e = event(Map.of(
                "kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc",
                "kustomize.toolkit.fluxcd.io/token", "secret-token",
                "event.toolkit.fluxcd.io/env", "from-annotation",
                "event.toolkit.fluxcd.io/cluster", "annotation-cluster",
                "other.example.com/ignored", "x"), "m", "r");

        FluxEvent prepared = NotificationEvent.forAlert(e, alert(Map.of("cluster", "prod", "region", "eu"), "Prod apps"));

        assertThat(prepared.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "revision", "main@sha1:abc",
                "env", "from-annotation",
                "cluster", "prod",
                "region", "eu",
                "summary", "Prod apps"));
        assertThat(prepared.message()).isEqualTo("m");
        assertThat(e.metadata()).as("input untouched").containsKey("kustomize.toolkit.fluxcd.io/token");
    }

    @Test
    void objectGroupKeysWinOverTheAlertsEventMetadata() {
        FluxEvent e = event(Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"), "m", "r");
        assertThat(NotificationEvent.forAlert(e, alert(Map.of("revision", "alert"), null)).metadata())
                .containsEntry("revision", "main@sha1:abc");
    }

    @Test
    void unprefixedMetadataIsKeptOnlyWhenNothingElseIsThere() {
        FluxEvent e = event(Map.of("plain", "v"), "m", "r");
        assertThat(NotificationEvent.forAlert(e, alert(null, null)).metadata()).containsExactlyEntriesOf(Map.of("plain", "v"));
        assertThat(NotificationEvent.forAlert(e, alert(null, "s")).metadata()).containsExactlyEntriesOf(Map.of("summary", "s"));
    }

    @Test
    void revisionIsReadFromThePrefixedOrPlainKey() {
        assertThat(NotificationEvent.revision(event(Map.of("kustomize.toolkit.fluxcd.io/revision", "a"), "m", "r"))).isEqualTo("a");
        assertThat(NotificationEvent.revision(event(Map.of("revision", "b"), "m", "r"))).isEqualTo("b");
        assertThat(NotificationEvent.revision(event(null, "m", "r"))).isNull();
    }

    @Test
    void identityDependsOnObjectRevisionReasonSeverityAndMessageOnly() {
        FluxEvent base = event(Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"), "applied", "ReconciliationSucceeded");
        FluxEvent laterSame = new FluxEvent(APPS, "info", "2026-11-21T23:00:00Z", "applied", "ReconciliationSucceeded",
                Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc", "x", "y"), "other", "pod-2");

        assertThat(NotificationEvent.identity(base)).hasSize(64).isEqualTo(NotificationEvent.identity(laterSame));
        assertThat(NotificationEvent.identity(base))
                .isNotEqualTo(NotificationEvent.identity(event(Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:def"), "applied", "ReconciliationSucceeded")))
                .isNotEqualTo(NotificationEvent.identity(event(Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"), "other", "ReconciliationSucceeded")))
                .isNotEqualTo(NotificationEvent.identity(event(Map.of("kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"), "applied", "Progressing")))
                .isNotEqualTo(NotificationEvent.identity(new FluxEvent(APPS, "error", base.timestamp(), "applied",
                        "ReconciliationSucceeded", base.metadata(), base.reportingController(), null)));
    }

    @Test
    void fluxKindsWithoutApiVersionStillHaveTheirGroupStripped() {
        FluxEvent e = new FluxEvent(new FluxEvent.InvolvedObject("GitRepository", "flux-system", "repo", null, null, null),
                "info", "2026-11-21T22:00:00Z", "m", "r", Map.of("source.toolkit.fluxcd.io/revision", "main@sha1:abc"),
                "conflux-webhook-receiver", null);
        assertThat(NotificationEvent.objectGroup(e)).isEqualTo("source.toolkit.fluxcd.io");
        assertThat(NotificationEvent.forAlert(e, alert(null, null)).metadata()).containsExactlyEntriesOf(Map.of("revision", "main@sha1:abc"));
        assertThat(NotificationEvent.revision(e)).isEqualTo("main@sha1:abc");
    }
}
