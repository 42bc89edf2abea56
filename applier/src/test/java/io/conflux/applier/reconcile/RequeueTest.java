package io.conflux.applier.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.kustomize.Kustomization;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a Kustomization runs again: kustomize-controller's interval and retryInterval. */
class RequeueTest {

    @Test
    void aFailedApplyOrHealthCheckIsRetriedAtTheRetryIntervalASuccessRunsAgainAtTheInterval() {
        Reconcilable r = kustomization("\"interval\":\"10m\",\"retryInterval\":\"45s\"");
        assertThat(Records.nextRunIn(r, false)).isEqualTo(Duration.ofSeconds(45));
        assertThat(Records.nextRunIn(r, true)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void theRetryIntervalDefaultsToTheInterval() {
        assertThat(Records.nextRunIn(kustomization("\"interval\":\"1m30s\""), false)).isEqualTo(Duration.ofSeconds(90));
        assertThat(Records.nextRunIn(kustomization("\"prune\":true"), false)).isEqualTo(Duration.ofMinutes(10));
    }

    private static Reconcilable kustomization(String spec) {
        return Reconcilable.of(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"apps\",\"namespace\":\"default\",\"generation\":1},"
                + "\"spec\":{" + spec + ",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"flux-system\"}}}",
                Kustomization.class)).orElseThrow();
    }
}
