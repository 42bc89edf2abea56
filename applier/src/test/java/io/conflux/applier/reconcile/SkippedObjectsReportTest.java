package io.conflux.applier.reconcile;

import static io.conflux.applier.reconcile.Fixtures.CONTROLLER;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ApplyResult;
import io.conflux.applier.apply.InventoryEntry;
import io.conflux.applier.apply.ToolkitObjects;
import io.conflux.model.meta.Condition;
import io.conflux.model.topic.FluxEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How skipped toolkit objects show on the Kustomization: a Warning event per reason and a condition. */
class SkippedObjectsReportTest {
    private static final InventoryEntry CM = InventoryEntry.of("v1", "ConfigMap", "default", "cm");
    private static final ToolkitObjects.Skipped CRD = new ToolkitObjects.Skipped(
            InventoryEntry.of("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "a.source.toolkit.fluxcd.io"),
            ToolkitObjects.TOOLKIT_CRD_SKIPPED, "CustomResourceDefinition/a.source.toolkit.fluxcd.io not applied");
    private static final ToolkitObjects.Skipped CONTROLLER_DEPLOYMENT = new ToolkitObjects.Skipped(
            InventoryEntry.of("apps/v1", "Deployment", "flux-system", "source-controller"),
            ToolkitObjects.FLUX_CONTROLLER_SKIPPED, "Deployment/flux-system/source-controller not applied");

    private static AppliedAttempt applied(Reconcilable r, boolean periodic) {
        return AppliedAttempt.of(r, Fixtures.desired("Kustomization/default/apps", 2, "sha256:b", 1L), null,
                ApplyResult.of(List.of(), List.of(CM), null), "ReconciliationSucceeded", periodic, Duration.ZERO,
                CONTROLLER);
    }

    @Test
    void skippedObjectsAreAWarningEventPerReasonAndAConditionAfterReady() {
        Reconcilable r = Fixtures.kustomization("\"interval\":\"5m\"", null);
        AppliedAttempt a = SkippedObjectsReport.report(applied(r, false), r, List.of(CRD, CONTROLLER_DEPLOYMENT),
                Fixtures.REVISION, CONTROLLER);

        assertThat(a.events()).extracting(FluxEvent::severity, FluxEvent::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(FluxEvent.INFO, "ReconciliationSucceeded"),
                org.assertj.core.groups.Tuple.tuple(FluxEvent.ERROR, ToolkitObjects.TOOLKIT_CRD_SKIPPED),
                org.assertj.core.groups.Tuple.tuple(FluxEvent.ERROR, ToolkitObjects.FLUX_CONTROLLER_SKIPPED));
        assertThat(a.events().get(2).message()).isEqualTo("Deployment/flux-system/source-controller not applied");
        @SuppressWarnings("unchecked")
        List<Condition> conditions = (List<Condition>) a.status().get("conditions");
        assertThat(conditions).extracting(Condition::type).containsExactly("Ready", SkippedObjectsReport.CONDITION);
        Condition skipped = Fixtures.condition(a.status(), SkippedObjectsReport.CONDITION);
        assertThat(skipped.status()).isEqualTo("True");
        assertThat(skipped.message()).isEqualTo("CustomResourceDefinition/a.source.toolkit.fluxcd.io not applied; "
                + "Deployment/flux-system/source-controller not applied");
    }

    @Test
    void theConditionGoesOnceNothingIsSkippedAndAQuietRunStaysQuiet() {
        Reconcilable r = Fixtures.kustomization("\"interval\":\"5m\"", "{\"conditions\":[{\"type\":\""
                + SkippedObjectsReport.CONDITION + "\",\"status\":\"True\",\"reason\":\"ToolkitCRDSkipped\"}]}");
        AppliedAttempt a = SkippedObjectsReport.report(applied(r, false), r, List.of(), Fixtures.REVISION, CONTROLLER);
        @SuppressWarnings("unchecked")
        List<Condition> conditions = (List<Condition>) a.status().get("conditions");
        assertThat(conditions).extracting(Condition::type).containsExactly("Ready");
        assertThat(a.events()).hasSize(1);

        AppliedAttempt quiet = new AppliedAttempt(a.history(), null, null, List.of(), a.nextRun());
        assertThat(SkippedObjectsReport.report(quiet, r, List.of(CRD), Fixtures.REVISION, CONTROLLER)).isSameAs(quiet);
    }
}
