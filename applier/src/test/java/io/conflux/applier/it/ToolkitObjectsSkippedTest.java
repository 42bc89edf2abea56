package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.applier.reconcile.SkippedObjectsReport;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.topic.RenderResult;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: a bundle holding Flux v0.x's CRDs (only {@code v1beta1}/{@code v1beta2}) and controller Deployments, as
 * a {@code flux bootstrap}ped repository's {@code gotk-components.yaml} does, must neither replace Conflux's CRDs nor
 * start Flux's controllers; the rest of the bundle is applied and the skip is reported on the Kustomization.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class ToolkitObjectsSkippedTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String KEY = "Kustomization/default/flux-system";
    private static final String CRD = "gitrepositories.source.toolkit.fluxcd.io";

    @Inject
    Reconciler reconciler;

    @Test
    void fluxCrdsAndControllersOfABootstrappedBundleAreSkippedAndReported() {
        KubernetesClient kube = ApplierServices.kube.client();
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"flux-system\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"10m\","
                + "\"prune\":true,\"path\":\"./clusters/my-cluster\",\"sourceRef\":{\"kind\":\"GitRepository\","
                + "\"name\":\"flux-system\"}}}", Kustomization.class)).create();
        long generation = kube.resources(Kustomization.class).inNamespace("default").withName("flux-system").get()
                .getMetadata().getGeneration();
        String digest = "sha256:gotk-components-v0.31";
        ApplierServices.bundle(digest, "[{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
                + "\"metadata\":{\"name\":\"" + CRD + "\",\"labels\":{\"app.kubernetes.io/part-of\":\"flux\"}},"
                + "\"spec\":{\"group\":\"source.toolkit.fluxcd.io\",\"names\":{\"kind\":\"GitRepository\","
                + "\"listKind\":\"GitRepositoryList\",\"plural\":\"gitrepositories\",\"singular\":\"gitrepository\"},"
                + "\"scope\":\"Namespaced\",\"versions\":["
                + "{\"name\":\"v1beta1\",\"served\":true,\"storage\":false,\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\","
                + "\"x-kubernetes-preserve-unknown-fields\":true}}},"
                + "{\"name\":\"v1beta2\",\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\","
                + "\"x-kubernetes-preserve-unknown-fields\":true}}}]}},"
                + "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"source-controller\","
                + "\"namespace\":\"default\",\"labels\":{\"app.kubernetes.io/part-of\":\"flux\",\"control-plane\":\"controller\"}},"
                + "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"source-controller\"}},\"template\":{\"metadata\":"
                + "{\"labels\":{\"app\":\"source-controller\"}},\"spec\":{\"containers\":[{\"name\":\"manager\","
                + "\"image\":\"ghcr.io/fluxcd/source-controller:v0.31.0\"}]}}}},"
                + "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"source-controller\","
                + "\"namespace\":\"default\",\"labels\":{\"app.kubernetes.io/part-of\":\"flux\"}}}]", 3);
        RenderResult result = new RenderResult(KEY, generation, "main@sha1:gotk", digest, 3, null, null,
                "2026-12-06T19:00:00Z", 1L);
        for (int i = 0; i < 6 && !ready(kube); i++) {
            reconciler.onRenderResult(result).await().atMost(PATIENCE);
            try {
                Await.until(Duration.ofSeconds(10), () -> ready(kube));
            } catch (AssertionError notYet) {
                // delivered again: the informer may not have seen the object yet
            }
        }
        Await.until(PATIENCE, () -> ready(kube));

        CustomResourceDefinition crd = kube.apiextensions().v1().customResourceDefinitions().withName(CRD).get();
        assertThat(crd.getSpec().getVersions()).extracting(CustomResourceDefinitionVersion::getName)
                .contains("v1", "v1beta2", "v1beta1");
        assertThat(crd.getSpec().getVersions()).filteredOn(CustomResourceDefinitionVersion::getStorage)
                .extracting(CustomResourceDefinitionVersion::getName).containsExactly("v1");
        assertThat(kube.apps().deployments().inNamespace("default").withName("source-controller").get()).isNull();
        assertThat(kube.serviceAccounts().inNamespace("default").withName("source-controller").get()).isNotNull();

        Kustomization k = kube.resources(Kustomization.class).inNamespace("default").withName("flux-system").get();
        Condition skipped = Conditions.find(k.getStatus().conditions(), SkippedObjectsReport.CONDITION).orElseThrow();
        assertThat(skipped.status()).isEqualTo("True");
        assertThat(skipped.message()).contains("CustomResourceDefinition/" + CRD + " (versions v1beta1, v1beta2 (storage))"
                + " not applied: Conflux serves v1, v1beta2, v1beta1 (storage v1)",
                "Deployment/default/source-controller not applied");
        assertThat(k.getStatus().inventory().entries()).extracting(e -> e.id())
                .containsExactly("default_source-controller__ServiceAccount");
    }

    private static boolean ready(KubernetesClient kube) {
        Kustomization k = kube.resources(Kustomization.class).inNamespace("default").withName("flux-system").get();
        return k.getStatus() != null && "main@sha1:gotk".equals(k.getStatus().lastAppliedRevision())
                && Conditions.isReady(k.getStatus().conditions(), k.getMetadata().getGeneration());
    }
}
