package io.conflux.applier.reconcile;

import io.conflux.applier.persist.DesiredState;
import io.conflux.applier.persist.InventoryRecord;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/** Objects and rows for the attempt records' tests, built in memory. */
final class Fixtures {
    static final String REVISION = "main@sha1:0123456789abcdef0123456789abcdef01234567";
    static final String CONTROLLER = "conflux-applier";
    /** The requeues of application.properties: requeue-dependency 30s, min-retry-delay 750ms, max-retry-delay 15m. */
    static final RetryPolicy RETRY = new RetryPolicy(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(750),
            java.time.Duration.ofMinutes(15));

    private Fixtures() {
    }

    /** @return a Kustomization {@code default/apps} at generation 2 with {@code spec} fields and {@code status} JSON */
    static Reconcilable kustomization(String spec, String status) {
        return Reconcilable.of(Serialization.unmarshal("{\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\","
                + "\"metadata\":{\"name\":\"apps\",\"namespace\":\"default\",\"generation\":2,\"uid\":\"u-1\"},"
                + "\"spec\":{" + (spec.isEmpty() ? "" : spec + ",") + "\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"flux-system\"}}"
                + (status == null ? "" : ",\"status\":" + status) + "}", Kustomization.class)).orElseThrow();
    }

    /** @return a HelmRelease {@code default/podinfo} at generation 3 with {@code spec} fields and {@code status} JSON */
    static Reconcilable.OfHelmRelease helmRelease(String spec, String status) {
        return (Reconcilable.OfHelmRelease) Reconcilable.of(Serialization.unmarshal(
                "{\"apiVersion\":\"helm.toolkit.fluxcd.io/v2\",\"kind\":\"HelmRelease\","
                + "\"metadata\":{\"name\":\"podinfo\",\"namespace\":\"default\",\"generation\":3},"
                + "\"spec\":{" + (spec.isEmpty() ? "" : spec + ",") + "\"chart\":{\"spec\":{\"chart\":\"podinfo\","
                + "\"sourceRef\":{\"kind\":\"HelmRepository\",\"name\":\"podinfo\"}}}}"
                + (status == null ? "" : ",\"status\":" + status) + "}", HelmRelease.class)).orElseThrow();
    }

    /** @return {@code status} JSON with Ready at {@code ready} for generation {@code generation} */
    static String readyStatus(String ready, long generation) {
        return "{\"lastAppliedRevision\":\"" + REVISION + "\",\"lastAttemptedRevision\":\"" + REVISION + "\","
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + ready + "\",\"observedGeneration\":" + generation
                + ",\"reason\":\"ReconciliationSucceeded\",\"message\":\"Applied revision: " + REVISION + "\"}]}";
    }

    /** @return a desired state of {@code key} at {@code generation} with bundle {@code digest} and {@code sequence} */
    static DesiredState desired(String key, long generation, String digest, Long sequence) {
        DesiredState d = new DesiredState();
        d.objectKey = key;
        d.generation = generation;
        d.sourceRevision = REVISION;
        d.bundleDigest = digest;
        d.sourceSequence = sequence;
        return d;
    }

    /** @return an inventory row of {@code key} having applied {@code digest} at {@code generation}, {@code sequence} */
    static InventoryRecord inventory(String key, long generation, String digest, Long sequence) {
        InventoryRecord i = new InventoryRecord();
        i.objectKey = key;
        i.entries = "[{\"id\":\"default_old__ConfigMap\",\"v\":\"v1\"}]";
        i.appliedDigest = digest;
        i.appliedGeneration = generation;
        i.appliedRevision = REVISION;
        i.appliedSequence = sequence;
        return i;
    }

    /** @return the condition of {@code type} in a status patch */
    @SuppressWarnings("unchecked")
    static Condition condition(Map<String, Object> status, String type) {
        return ((List<Condition>) status.get("conditions")).stream().filter(c -> c.type().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " condition in " + status));
    }
}
