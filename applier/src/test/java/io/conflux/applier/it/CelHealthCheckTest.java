package io.conflux.applier.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.applier.reconcile.Reconciler;
import io.conflux.model.meta.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.healthCheckExprs} on the embedded API server: a Kustomization with {@code wait: true} applying a custom
 * resource ({@code example.com/v1 Widget}, which kstatus alone would call Current at once: it has no conditions) is
 * Ready only once the entry's {@code current} expression holds, and fails {@code HealthCheckFailed} when its
 * {@code failed} expression holds.
 */
@QuarkusTest
@QuarkusTestResource(ApplierServices.class)
class CelHealthCheckTest {
    private static final String EXPRS = "\"healthCheckExprs\":[{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\","
            + "\"current\":\"status.phase == 'Ready'\",\"failed\":\"status.phase == 'Failed'\"}]";

    @Inject
    Reconciler reconciler;

    @Test
    void theKustomizationIsReadyOnlyOnceTheCurrentExpressionHolds() {
        KubernetesClient kube = ApplierServices.kube.client();
        long generation = Kustomizations.create(kube, "widgets", "\"wait\":true,\"timeout\":\"5m\"," + EXPRS);
        Kustomizations.render(reconciler, "widgets", generation, "[" + widget("w1") + "]", 1,
                () -> widget(kube, "w1") != null);

        // applied, waited for: the Widget has no status yet (an evaluation error: Unknown), then is Pending
        Condition waiting = Kustomizations.ready(kube, "widgets");
        assertThat(waiting == null || !"True".equals(waiting.status())).isTrue();
        widgets(kube).withName("w1").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Pending\"}}");
        waiting = Kustomizations.ready(kube, "widgets");
        assertThat(waiting == null || !"True".equals(waiting.status())).isTrue();

        widgets(kube).withName("w1").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Ready\"}}");
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.ready(kube, "widgets") != null
                && "True".equals(Kustomizations.ready(kube, "widgets").status()));
        assertThat(Kustomizations.ready(kube, "widgets").reason()).isEqualTo("ReconciliationSucceeded");
    }

    @Test
    void theKustomizationFailsWhenTheFailedExpressionHolds() {
        KubernetesClient kube = ApplierServices.kube.client();
        long generation = Kustomizations.create(kube, "broken-widgets", "\"wait\":true,\"timeout\":\"5m\"," + EXPRS);
        Kustomizations.render(reconciler, "broken-widgets", generation, "[" + widget("w2") + "]", 1,
                () -> widget(kube, "w2") != null);
        widgets(kube).withName("w2").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Failed\"}}");
        Await.until(Kustomizations.PATIENCE, () -> Kustomizations.ready(kube, "broken-widgets") != null);

        Condition failed = Kustomizations.ready(kube, "broken-widgets");
        assertThat(failed.status()).isEqualTo("False");
        assertThat(failed.reason()).isEqualTo("HealthCheckFailed");
        assertThat(failed.message()).contains("Widget/default/w2 status: 'Failed': spec.healthCheckExprs[0].failed is true");
    }

    @Test
    void anExpressionThatDoesNotParseIsReadyFalseNamingItBeforeAnythingIsApplied() {
        KubernetesClient kube = ApplierServices.kube.client();
        long generation = Kustomizations.create(kube, "bad-exprs", "\"wait\":true,\"healthCheckExprs\":[{\"apiVersion\":"
                + "\"example.com/v1\",\"kind\":\"Widget\",\"current\":\"status.phase ==\"}]");
        Kustomizations.render(reconciler, "bad-exprs", generation, "[" + widget("w3") + "]", 1,
                () -> Kustomizations.ready(kube, "bad-exprs") != null);

        Condition invalid = Kustomizations.ready(kube, "bad-exprs");
        assertThat(invalid.status()).isEqualTo("False");
        assertThat(invalid.reason()).isEqualTo("InvalidCELExpression");
        assertThat(invalid.message()).startsWith("spec.healthCheckExprs[0].current: failed to parse the CEL expression");
        assertThat(widget(kube, "w3")).isNull();
    }

    /** @return a Widget to apply (the embedded API server, as an API server with a status subresource, ignores an applied status) */
    private static String widget(String name) {
        return "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"" + name + "\","
                + "\"namespace\":\"default\"},\"spec\":{\"size\":1}}";
    }

    private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> widgets(KubernetesClient kube) {
        return kube.genericKubernetesResources("example.com/v1", "Widget").inNamespace("default");
    }

    private static GenericKubernetesResource widget(KubernetesClient kube, String name) {
        return widgets(kube).withName(name).get();
    }
}
