package io.conflux.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.meta.Condition;
import io.conflux.model.meta.Conditions;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import io.conflux.model.topic.SourceRevision;
import io.conflux.model.topic.Trigger;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelTest {

    @Test
    void revisionRoundTripsFluxFormat() {
        String sha = "0123456789abcdef0123456789abcdef01234567";
        assertThat(Revision.parse("main@sha1:" + sha)).isEqualTo(new Revision("main", sha));
        assertThat(Revision.parse("sha1:" + sha).refName()).isNull();
        assertThat(new Revision("v1.2.3", sha)).hasToString("v1.2.3@sha1:" + sha);
        assertThatThrownBy(() -> Revision.parse("main@" + sha)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void objectKeyParsesThreeParts() {
        assertThat(ObjectKey.parse("Kustomization/default/apps")).isEqualTo(new ObjectKey("Kustomization", "default", "apps"));
        assertThatThrownBy(() -> ObjectKey.parse("Kustomization/apps")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void settingConditionKeepsTransitionTimeWhenStatusUnchanged() {
        Condition old = new Condition("Ready", "True", 1L, "2020-01-01T00:00:00Z", "A", "a");
        List<Condition> same = Conditions.set(List.of(old), Conditions.ready(true, 2, "B", "b"));
        assertThat(same).singleElement().satisfies(c -> {
            assertThat(c.lastTransitionTime()).isEqualTo("2020-01-01T00:00:00Z");
            assertThat(c.reason()).isEqualTo("B");
        });
        List<Condition> flipped = Conditions.set(List.of(old), Conditions.ready(false, 2, "C", "c"));
        assertThat(flipped.get(0).lastTransitionTime()).isNotEqualTo("2020-01-01T00:00:00Z");
        assertThat(Conditions.isReady(flipped, 2L)).isFalse();
        assertThat(Conditions.isReady(same, 2L)).isTrue();
        assertThat(Conditions.isReady(same, 3L)).isFalse();
    }

    @Test
    void kustomizationV1beta2ManifestReadsIntoV1Type() {
        String yaml = """
                apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
                kind: Kustomization
                metadata: {name: podinfo, namespace: flux-system}
                spec:
                  interval: 5m0s
                  path: ./kustomize
                  prune: true
                  sourceRef: {kind: GitRepository, name: podinfo}
                  targetNamespace: podinfo-git
                  validation: client
                  patches:
                    - patch: "x"
                      target: {kind: Service, name: podinfo}
                """;
        Kustomization k = Serialization.unmarshal(yaml, Kustomization.class);
        assertThat(k.getSpec().targetNamespace()).isEqualTo("podinfo-git");
        assertThat(k.getSpec().pruneEnabled()).isTrue();
        assertThat(k.getSpec().sourceRef().namespaceOr("flux-system")).isEqualTo("flux-system");
        assertThat(k.getSpec().patches()).singleElement().satisfies(p -> assertThat(p.target().kind()).isEqualTo("Service"));
    }

    @Test
    void helmReleaseV2beta2ManifestReadsIntoV2Type() {
        String yaml = """
                apiVersion: helm.toolkit.fluxcd.io/v2beta2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: apps}
                spec:
                  interval: 10m
                  chart:
                    spec:
                      chart: podinfo
                      version: ">=6.0.0"
                      interval: 1h
                      sourceRef: {kind: HelmRepository, name: podinfo, namespace: flux-system}
                  install:
                    remediation:
                      retries: 3
                  values:
                    replicaCount: 2
                """;
        io.conflux.model.helm.HelmRelease hr = Serialization.unmarshal(yaml, io.conflux.model.helm.HelmRelease.class);
        assertThat(hr.getSpec().interval()).isEqualTo("10m");
        assertThat(hr.getSpec().chart()).extractingByKey("spec").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("chart", "podinfo").containsEntry("version", ">=6.0.0")
                .containsEntry("sourceRef", java.util.Map.of("kind", "HelmRepository", "name", "podinfo", "namespace", "flux-system"));
        assertThat(hr.getSpec().install()).isEqualTo(java.util.Map.of("remediation", java.util.Map.of("retries", 3)));
        assertThat(hr.getSpec().values()).isEqualTo(java.util.Map.of("replicaCount", 2));
        assertThat(Serialization.unmarshal(yaml.replace("/v2beta2", "/v2"), io.conflux.model.helm.HelmRelease.class).getSpec())
                .isEqualTo(hr.getSpec());
    }

    @Test
    void conditionSerializesOnlyItsFields() throws Exception {
        String json = new ObjectMapper().writeValueAsString(Conditions.ready(true, 1, "Succeeded", "ok"));
        assertThat(json).doesNotContain("\"true\"").contains("\"status\":\"True\"");
    }

    @Test
    void triggerSerializesLowerCase() throws Exception {
        String json = new ObjectMapper().writeValueAsString(
                new SourceRevision("GitRepository/default/x", 1L, "u", null, "main@sha1:" + "a".repeat(40), Trigger.WEBHOOK, "d", "t"));
        assertThat(json).contains("\"trigger\":\"webhook\"").doesNotContain("\"ref\"");
        assertThat(new ObjectMapper().readValue(json, SourceRevision.class).trigger()).isEqualTo(Trigger.WEBHOOK);
    }
}
