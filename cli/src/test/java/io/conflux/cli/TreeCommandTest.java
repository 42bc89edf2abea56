package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.cli.TestCluster.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeCommandTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster(dir);
        for (String[] ks : new String[][] {{"flux-system", "flux-system"}, {"flux-system", "apps"}}) {
            cluster.create("""
                    apiVersion: kustomize.toolkit.fluxcd.io/v1
                    kind: Kustomization
                    metadata: {name: %s, namespace: %s}
                    spec: {interval: 10m, path: ./, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
                    """.formatted(ks[1], ks[0]));
        }
        cluster.create("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: apps}
                spec: {interval: 10m, chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}}
                """);
        cluster.patchStatus(FluxObjectKind.KUSTOMIZATION, "flux-system", "flux-system", inventory(
                "_apps__Namespace", "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization"));
        cluster.patchStatus(FluxObjectKind.KUSTOMIZATION, "flux-system", "apps", inventory(
                "apps_settings__ConfigMap", "apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease"));
        cluster.patchStatus(FluxObjectKind.HELM_RELEASE, "apps", "podinfo", inventory(
                "apps_podinfo__Service", "apps_podinfo_apps_Deployment"));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String inventory(String... ids) {
        StringBuilder entries = new StringBuilder();
        for (String id : ids) {
            entries.append(entries.length() == 0 ? "" : ",").append("{\"id\":\"").append(id).append("\",\"v\":\"v1\"}");
        }
        return "{\"inventory\":{\"entries\":[" + entries + "]}}";
    }

    @Test
    void descendsIntoKustomizationsAndHelmReleases() {
        Run run = cluster.conflux("tree", "kustomization", "flux-system");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                Kustomization/flux-system/flux-system
                ├── Namespace/apps
                └── Kustomization/flux-system/apps
                    ├── ConfigMap/apps/settings
                    └── HelmRelease/apps/podinfo
                        ├── Service/apps/podinfo
                        └── Deployment/apps/podinfo
                """);
    }

    @Test
    void startsFromAHelmRelease() {
        Run run = cluster.conflux("tree", "hr", "podinfo", "-n", "apps");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                HelmRelease/apps/podinfo
                ├── Service/apps/podinfo
                └── Deployment/apps/podinfo
                """);
    }
}
