package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.apply.ToolkitObjects.Selection;
import io.conflux.applier.apply.ToolkitObjects.ServedCrd;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The toolkit-object decision on the shapes of a v0.31 and a v2.x {@code gotk-components.yaml}, without a cluster. */
class ToolkitObjectsTest {
    private static final Map<String, ServedCrd> CONFLUX = Map.of(
            "kustomizations.kustomize.toolkit.fluxcd.io", new ServedCrd(List.of("v1", "v1beta2", "v1beta1"), "v1"),
            "gitrepositories.source.toolkit.fluxcd.io", new ServedCrd(List.of("v1", "v1beta2", "v1beta1"), "v1"));

    private static Map<String, Object> crd(String name, String group, String... versions) {
        List<Map<String, Object>> vs = new java.util.ArrayList<>();
        for (int i = 0; i < versions.length; i++) {
            vs.add(Map.of("name", versions[i], "served", true, "storage", i == versions.length - 1));
        }
        return Map.of("apiVersion", "apiextensions.k8s.io/v1", "kind", "CustomResourceDefinition",
                "metadata", Map.of("name", name), "spec", Map.of("group", group, "versions", vs));
    }

    private static Map<String, Object> deployment(String name, Map<String, String> labels) {
        return Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", Map.of("name", name, "namespace", "flux-system", "labels", labels));
    }

    private static final Map<String, Object> NAMESPACE = Map.of("apiVersion", "v1", "kind", "Namespace",
            "metadata", Map.of("name", "flux-system", "labels", Map.of(ToolkitObjects.PART_OF, "flux")));
    private static final Map<String, Object> SERVICE = Map.of("apiVersion", "v1", "kind", "Service",
            "metadata", Map.of("name", "source-controller", "namespace", "flux-system",
                    "labels", Map.of(ToolkitObjects.PART_OF, "flux")));

    @Test
    void aV031BundleKeepsConfluxCrdsAndControllersOutButAppliesTheRest() {
        List<Map<String, Object>> bundle = List.of(NAMESPACE,
                crd("kustomizations.kustomize.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "v1beta1", "v1beta2"),
                crd("gitrepositories.source.toolkit.fluxcd.io", "source.toolkit.fluxcd.io", "v1beta1", "v1beta2"),
                SERVICE,
                deployment("kustomize-controller", Map.of(ToolkitObjects.PART_OF, "flux", "control-plane", "controller")),
                deployment("source-controller", Map.of(ToolkitObjects.PART_OF, "flux", "control-plane", "controller")));

        Selection s = ToolkitObjects.select(bundle, CONFLUX);

        assertThat(s.apply()).containsExactly(NAMESPACE, SERVICE);
        assertThat(s.skipped()).extracting(ToolkitObjects.Skipped::reason).containsExactly(
                ToolkitObjects.TOOLKIT_CRD_SKIPPED, ToolkitObjects.TOOLKIT_CRD_SKIPPED,
                ToolkitObjects.FLUX_CONTROLLER_SKIPPED, ToolkitObjects.FLUX_CONTROLLER_SKIPPED);
        assertThat(s.skipped().get(0).message()).isEqualTo(
                "CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io (versions v1beta1, v1beta2 (storage))"
                        + " not applied: Conflux serves v1, v1beta2, v1beta1 (storage v1)");
        assertThat(s.skipped().get(2).message()).isEqualTo(
                "Deployment/flux-system/kustomize-controller not applied: Flux's controllers do not run beside Conflux");
        assertThat(s.skipped().get(0).object().id())
                .isEqualTo("_kustomizations.kustomize.toolkit.fluxcd.io_apiextensions.k8s.io_CustomResourceDefinition");
        assertThat(s.skipped().get(2).object().id()).isEqualTo("flux-system_kustomize-controller_apps_Deployment");
    }

    @Test
    void aToolkitCrdTheClusterDoesNotServeAndOtherGroupsAreApplied() {
        Map<String, Object> image = crd("imagepolicies.image.toolkit.fluxcd.io", "image.toolkit.fluxcd.io", "v1beta2");
        Map<String, Object> other = crd("certificates.cert-manager.io", "cert-manager.io", "v1");
        Map<String, Object> podinfo = deployment("podinfo", Map.of("app", "podinfo"));

        Selection s = ToolkitObjects.select(List.of(image, other, podinfo), CONFLUX);

        assertThat(s.apply()).containsExactly(image, other, podinfo);
        assertThat(s.skipped()).isEmpty();
    }

    @Test
    void aSourceWatcherCrdIsAToolkitCrd() {
        Map<String, Object> generators = crd("artifactgenerators.source.extensions.fluxcd.io",
                "source.extensions.fluxcd.io", "v1beta1");
        Selection s = ToolkitObjects.select(List.of(generators), Map.of(
                "artifactgenerators.source.extensions.fluxcd.io", new ServedCrd(List.of("v1beta1"), "v1beta1")));
        assertThat(s.apply()).isEmpty();
        assertThat(ToolkitObjects.toolkitCrdNames(List.of(generators, crd("a.example.com", "example.com", "v1"))))
                .containsExactly("artifactgenerators.source.extensions.fluxcd.io");
    }

    @Test
    void skippedObjectsLeaveThePreviousInventorySoTheyAreNeverPruned() {
        Selection s = ToolkitObjects.select(List.of(
                crd("gitrepositories.source.toolkit.fluxcd.io", "source.toolkit.fluxcd.io", "v1beta2"),
                deployment("source-controller", Map.of(ToolkitObjects.PART_OF, "flux"))), CONFLUX);
        InventoryEntry crd = InventoryEntry.of("apiextensions.k8s.io/v1", "CustomResourceDefinition", null,
                "gitrepositories.source.toolkit.fluxcd.io");
        InventoryEntry controller = InventoryEntry.of("apps/v1", "Deployment", "flux-system", "source-controller");
        InventoryEntry config = InventoryEntry.of("v1", "ConfigMap", "flux-system", "settings");

        assertThat(s.keep(List.of(crd, controller, config))).containsExactly(config);
    }
}
