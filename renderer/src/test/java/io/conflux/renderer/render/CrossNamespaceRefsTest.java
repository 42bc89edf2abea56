package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.model.helm.HelmRelease;
import io.conflux.model.kustomize.Kustomization;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class CrossNamespaceRefsTest {
    private static final CrossNamespaceRefs BLOCKED = new CrossNamespaceRefs(true);
    private static final CrossNamespaceRefs ALLOWED = new CrossNamespaceRefs(false);

    private static Kustomization kustomization(String sourceRef) {
        return Serialization.unmarshal("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps, namespace: team-b}
                spec: {interval: 10m, path: ./, prune: true, sourceRef: %s}
                """.formatted(sourceRef), Kustomization.class);
    }

    private static HelmRelease helmRelease(String sourceRef) {
        return Serialization.unmarshal("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: web, namespace: team-b}
                spec: {interval: 10m, chart: {spec: {chart: podinfo, sourceRef: %s}}}
                """.formatted(sourceRef), HelmRelease.class);
    }

    @Test
    void aSourceOfAnotherTenantIsRefusedWithFluxsMessageWhenBlocked() {
        Kustomization k = kustomization("{kind: GitRepository, name: private, namespace: team-a}");
        HelmRelease hr = helmRelease("{kind: HelmRepository, name: charts, namespace: team-a}");

        assertThat(BLOCKED.refused(k)).contains(
                "can't access 'GitRepository/team-a/private', cross-namespace references have been blocked");
        assertThat(BLOCKED.refused(hr)).contains(
                "can't access 'HelmRepository/team-a/charts', cross-namespace references have been blocked");
    }

    @Test
    void aSourceInTheObjectsOwnNamespaceIsAlwaysAllowed() {
        assertThat(BLOCKED.refused(kustomization("{kind: GitRepository, name: apps}"))).isEmpty();
        assertThat(BLOCKED.refused(kustomization("{kind: GitRepository, name: apps, namespace: team-b}"))).isEmpty();
        assertThat(BLOCKED.refused(helmRelease("{kind: HelmRepository, name: charts}"))).isEmpty();
    }

    @Test
    void crossNamespaceReferencesAreAllowedByDefaultAsInFlux() {
        assertThat(ALLOWED.refused(kustomization("{kind: GitRepository, name: private, namespace: team-a}"))).isEmpty();
        assertThat(ALLOWED.refused(helmRelease("{kind: HelmRepository, name: charts, namespace: team-a}"))).isEmpty();
    }
}
