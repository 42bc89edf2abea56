package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.applier.cel.CelExpressionException;
import io.conflux.model.kustomize.CustomHealthCheck;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code spec.healthCheckExprs} evaluated with cel-java as fluxcd/pkg's {@code runtime/cel} StatusEvaluator does:
 * inProgress, failed, current in that order, observedGeneration first, by group and kind; parse errors name the field
 * and index; evaluation errors (a missing field, a non-bool) leave the object Unknown with the error.
 */
class HealthCheckExprsTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    /** Flux's documented SealedSecret example. */
    private static final CustomHealthCheck SEALED_SECRET = new CustomHealthCheck("bitnami.com/v1alpha1", "SealedSecret",
            "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'True')", null,
            "status.conditions.filter(e, e.type == 'Synced').all(e, e.status == 'False')");

    @Test
    void currentFailedAndInProgressFollowTheExpressions() throws Exception {
        HealthCheckExprs exprs = HealthCheckExprs.of(List.of(SEALED_SECRET));
        assertThat(exprs.evaluate(sealedSecret("True", 1, 1))).get().extracting(HealthStatus.Result::current).isEqualTo(true);
        HealthStatus.Result failed = exprs.evaluate(sealedSecret("False", 1, 1)).orElseThrow();
        assertThat(failed.failed()).isTrue();
        assertThat(failed.message()).isEqualTo("spec.healthCheckExprs[0].failed is true");
        HealthStatus.Result pending = exprs.evaluate(sealedSecret("Unknown", 1, 1)).orElseThrow();
        assertThat(pending.current()).isFalse();
        assertThat(pending.failed()).isFalse();
        assertThat(pending.unknown()).isFalse();
        assertThat(pending.message()).isEqualTo("spec.healthCheckExprs[0].current is false");
    }

    @Test
    void aGenerationNotYetObservedIsInProgressWhateverTheExpressionsSay() throws Exception {
        HealthStatus.Result r = HealthCheckExprs.of(List.of(SEALED_SECRET)).evaluate(sealedSecret("True", 2, 1)).orElseThrow();
        assertThat(r.current()).isFalse();
        assertThat(r.message()).contains("generation is 2, but latest observed generation is 1");
    }

    @Test
    void inProgressIsEvaluatedBeforeFailedAndFailedBeforeCurrent() throws Exception {
        Map<String, Object> o = sealedSecret("True", 1, 1);
        HealthStatus.Result r = HealthCheckExprs.of(List.of(new CustomHealthCheck("bitnami.com/v1", "SealedSecret",
                "true", "true", "true"))).evaluate(o).orElseThrow();
        assertThat(r.current()).isFalse();
        assertThat(r.failed()).isFalse();
        assertThat(r.message()).isEqualTo("spec.healthCheckExprs[0].inProgress is true");
        r = HealthCheckExprs.of(List.of(new CustomHealthCheck("bitnami.com/v1", "SealedSecret", "true", "false", "true")))
                .evaluate(o).orElseThrow();
        assertThat(r.failed()).isTrue();
    }

    @Test
    void entriesMatchByGroupAndKindAnyVersionTheFirstOfAGroupKindWinsAndOthersAreLeftToKstatus() throws Exception {
        HealthCheckExprs exprs = HealthCheckExprs.of(List.of(
                new CustomHealthCheck("bitnami.com/v1", "SealedSecret", "false", null, null),
                new CustomHealthCheck("bitnami.com/v1alpha1", "SealedSecret", "true", null, null)));
        assertThat(exprs.evaluate(sealedSecret("True", 1, 1))).get().extracting(HealthStatus.Result::current).isEqualTo(false);
        assertThat(exprs.evaluate(tree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}"))).isEmpty();
        assertThat(exprs.evaluate(tree("{\"apiVersion\":\"other.io/v1alpha1\",\"kind\":\"SealedSecret\"}"))).isEmpty();
    }

    @Test
    void aCoreGroupKindMatchesToo() throws Exception {
        HealthCheckExprs exprs = HealthCheckExprs.of(List.of(new CustomHealthCheck("v1", "ConfigMap",
                "has(data.ready) && data.ready == 'yes' && metadata.name.startsWith('c')", null, null)));
        assertThat(exprs.evaluate(tree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
                + "\"data\":{\"ready\":\"yes\"}}"))).get().extracting(HealthStatus.Result::current).isEqualTo(true);
    }

    @Test
    void aMissingFieldIsAnEvaluationErrorThatLeavesTheObjectUnknownNamingTheExpression() throws Exception {
        HealthStatus.Result r = HealthCheckExprs.of(List.of(SEALED_SECRET))
                .evaluate(tree("{\"apiVersion\":\"bitnami.com/v1alpha1\",\"kind\":\"SealedSecret\",\"metadata\":{\"name\":\"s\"}}"))
                .orElseThrow();
        assertThat(r.current()).isFalse();
        assertThat(r.failed()).isFalse();
        assertThat(r.unknown()).isTrue();
        assertThat(r.message()).startsWith("spec.healthCheckExprs[0].failed: failed to evaluate the CEL expression")
                .contains("status");
    }

    @Test
    void aResultThatIsNotABoolIsAnEvaluationError() throws Exception {
        HealthStatus.Result r = HealthCheckExprs.of(List.of(new CustomHealthCheck("bitnami.com/v1", "SealedSecret",
                "metadata.name", null, null))).evaluate(sealedSecret("True", 1, 1)).orElseThrow();
        assertThat(r.unknown()).isTrue();
        assertThat(r.message()).isEqualTo("spec.healthCheckExprs[0].current: the CEL expression 'metadata.name' evaluated"
                + " to a String, not a bool");
    }

    @Test
    void anExpressionThatDoesNotParseIsRefusedNamingTheFieldAndIndex() {
        assertThatThrownBy(() -> HealthCheckExprs.of(List.of(SEALED_SECRET,
                new CustomHealthCheck("example.com/v1", "Widget", "status.ready", null, "status.phase == 'Failed' &&"))))
                .isInstanceOf(CelExpressionException.class)
                .hasMessageStartingWith("spec.healthCheckExprs[1].failed: failed to parse the CEL expression")
                .satisfies(e -> assertThat(((CelExpressionException) e).field()).isEqualTo("spec.healthCheckExprs[1].failed"));
        assertThatThrownBy(() -> HealthCheckExprs.of(List.of(new CustomHealthCheck("example.com/v1", "Widget", "", null, null))))
                .hasMessage("spec.healthCheckExprs[0].current: required");
        assertThatThrownBy(() -> HealthCheckExprs.of(List.of(new CustomHealthCheck("example.com/v1", null, "true", null, null))))
                .hasMessage("spec.healthCheckExprs[0].kind: required");
    }

    @Test
    void fluxsExtensionsAreThere() throws Exception {
        HealthCheckExprs exprs = HealthCheckExprs.of(List.of(new CustomHealthCheck("bitnami.com/v1", "SealedSecret",
                "sets.contains(['a', 'b'], ['a']) && base64.encode(b'x') == 'eA==' && 'A'.lowerAscii() == 'a'"
                        + " && status.?missing.orValue(1) == 1 && metadata.generation == 1.0", null, null)));
        assertThat(exprs.evaluate(sealedSecret("True", 1, 1))).get().extracting(HealthStatus.Result::current).isEqualTo(true);
    }

    private static Map<String, Object> sealedSecret(String synced, long generation, long observed) {
        return tree("{\"apiVersion\":\"bitnami.com/v1alpha1\",\"kind\":\"SealedSecret\",\"metadata\":{\"name\":\"s\","
                + "\"namespace\":\"default\",\"generation\":" + generation + "},\"status\":{\"observedGeneration\":" + observed
                + ",\"conditions\":[{\"type\":\"Synced\",\"status\":\"" + synced + "\"}]}}");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(String json) {
        return JSON.unmarshal(json, Map.class);
    }
}
