package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux get hr} shows the chart version of the latest {@code status.history} snapshot, as {@code flux get hr}
 * does for helm-controller v2, on an in-memory management cluster with Conflux's CRDs.
 */
class GetHelmReleasesTest {
    static TestCluster cluster;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void theRevisionIsTheLatestSnapshotsChartVersion() {
        cluster.create("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: default}
                spec:
                  interval: 5m
                  chartRef: {kind: OCIRepository, name: podinfo}
                """);
        cluster.patchStatus(FluxObjectKind.HELM_RELEASE, "default", "podinfo", """
                {"conditions": [{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded", "message": "ok",
                                 "lastTransitionTime": "2026-12-07T01:00:00Z", "observedGeneration": 1}],
                 "lastAttemptedRevision": "6.5.1+0123456789ab",
                 "history": [{"name": "podinfo", "namespace": "default", "version": 2, "status": "deployed",
                              "chartName": "podinfo", "chartVersion": "6.5.0+0123456789ab", "configDigest": "sha256:00",
                              "digest": "sha256:01", "firstDeployed": "2026-12-07T00:00:00Z",
                              "lastDeployed": "2026-12-07T01:00:00Z"},
                             {"name": "podinfo", "namespace": "default", "version": 1, "status": "superseded",
                              "chartName": "podinfo", "chartVersion": "6.4.0", "configDigest": "sha256:00",
                              "digest": "sha256:02", "firstDeployed": "2026-12-07T00:00:00Z",
                              "lastDeployed": "2026-12-07T00:00:00Z"}]}
                """);
        TestCluster.Run run = cluster.conflux("get", "hr");
        assertThat(run.out()).as(run.err()).containsPattern("default +podinfo +6\\.5\\.0\\+0123456789ab +false +True +ok");
    }
}
