package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.meta.Condition;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.StallAudit;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/**
 * No silent stall (issue #13): a Kustomization whose render result never arrives gets, from the applier's periodic
 * audit, {@code Ready=False} naming what it waits for within interval + timeout + grace (here 2s + 2s + 1s, audited
 * every second), instead of sitting without a Ready condition for ever.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class NoSilentStallTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aKustomizationWhoseSourceNeverArrivesIsArtifactFailedNamingTheSource() {
        KubernetesClient kube = ApplierServices.kube.client();
        create(kube, "stall-no-source", "never");
        Await.until(PATIENCE, () -> ready(kube, "stall-no-source") != null);
        Condition ready = ready(kube, "stall-no-source");
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
        assertThat(ready.message()).startsWith("source GitRepository/default/never not found")
                .endsWith(StallAudit.MARK);
    }

    @Test
    void aKustomizationWhoseRenderResultNeverArrivesIsNotReconciledNamingTheServices() {
        KubernetesClient kube = ApplierServices.kube.client();
        GenericKubernetesResource repo = Serialization.unmarshal("{\"apiVersion\":\"source.toolkit.fluxcd.io/v1\","
                + "\"kind\":\"GitRepository\",\"metadata\":{\"name\":\"stall-repo\",\"namespace\":\"default\"},"
                + "\"spec\":{\"interval\":\"10m\",\"url\":\"https://example.com/repo\"}}", GenericKubernetesResource.class);
        kube.resource(repo).create();
        // Ready as the receiver and renderer would have made it; nobody ever renders the Kustomization
        kube.genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository").inNamespace("default")
                .withName("stall-repo").subresource("status").patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        "{\"status\":{\"observedGeneration\":1,\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
                                + "\"reason\":\"Succeeded\",\"message\":\"stored artifact\",\"observedGeneration\":1,"
                                + "\"lastTransitionTime\":\"" + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\"}]}}");
        create(kube, "stall-no-render", "stall-repo");
        Await.until(PATIENCE, () -> ready(kube, "stall-no-render") != null);
        Condition ready = ready(kube, "stall-no-render");
        assertThat(ready.status()).isEqualTo("False");
        assertThat(ready.reason()).isEqualTo(StallAudit.NOT_RECONCILED);
        assertThat(ready.message()).contains("no Ready condition").contains("conflux-renderer's render result")
                .contains("conflux.render-results").contains("conflux-applier");
        assertThat(ready.observedGeneration()).isEqualTo(1L);
    }

    @org.junit.jupiter.api.AfterEach
    void deleteTheObjects() {
        KubernetesClient kube = ApplierServices.kube.client();
        for (String name : new String[] {"stall-no-source", "stall-no-render"}) {
            kube.resources(io.conflux.model.kustomize.Kustomization.class).inNamespace("default").withName(name).delete();
        }
        kube.genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository").inNamespace("default")
                .withName("stall-repo").delete();
    }

    private static void create(KubernetesClient kube, String name, String source) {
        kube.resource(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"},\"spec\":{\"interval\":\"2s\","
                + "\"path\":\"./\",\"prune\":false,\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"" + source + "\"}}}",
                io.conflux.model.kustomize.Kustomization.class)).create();
    }

    private static Condition ready(KubernetesClient kube, String name) {
        return Kustomizations.ready(kube, name);
    }
}
