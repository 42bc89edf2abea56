package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.cli.TestCluster.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuspendCommandTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster(dir);
        cluster.create("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: podinfo, namespace: flux-system}
                spec: {url: https://github.com/stefanprodan/podinfo, interval: 1m, suspend: true}
                """);
        cluster.create("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps, namespace: apps}
                spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: podinfo, namespace: flux-system}}
                """);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void suspendKustomizationSetsSpecSuspend() {
        Run run = cluster.conflux("suspend", "kustomization", "apps", "-n", "apps");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(cluster.read(FluxObjectKind.KUSTOMIZATION, "apps", "apps").at("/spec/suspend").asBoolean()).isTrue();
        assertThat(run.out()).isEqualTo("► suspending Kustomization apps in apps namespace\n✔ Kustomization suspended\n");
    }

    @Test
    void resumeSourceGitClearsSpecSuspendAndWaitsForTheReconciliationLikeFluxResume() throws Exception {
        String revision = "main@sha1:0123456789abcdef0123456789abcdef01234567";
        Run run = cluster.answering(FluxObjectKind.GIT_REPOSITORY, "flux-system", "podinfo",
                requested -> TestCluster.status(requested, true, "stored artifact for revision '" + revision + "'",
                        TestCluster.artifact(revision)),
                () -> cluster.conflux("resume", "source", "git", "podinfo", "--timeout", "20s"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        var repo = cluster.read(FluxObjectKind.GIT_REPOSITORY, "flux-system", "podinfo");
        assertThat(repo.at("/spec/suspend").isBoolean()).isTrue();
        assertThat(repo.at("/spec/suspend").asBoolean()).isFalse();
        assertThat(repo.at("/metadata/annotations").path(ReconcileCommand.REQUESTED_AT).asText())
                .isNotEmpty().isEqualTo(repo.at("/status/lastHandledReconcileAt").asText());
        assertThat(run.out()).isEqualTo("""
                ► resuming GitRepository podinfo in flux-system namespace
                ✔ GitRepository resumed
                ◎ waiting for GitRepository reconciliation
                ✔ GitRepository reconciliation completed
                ✔ fetched revision %s
                """.formatted(revision));
    }

    @Test
    void resumeWithoutWaitReturnsOnceResumed() {
        cluster.conflux("suspend", "kustomization", "apps", "-n", "apps");
        Run run = cluster.conflux("resume", "ks", "apps", "-n", "apps", "--wait=false");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(cluster.read(FluxObjectKind.KUSTOMIZATION, "apps", "apps").at("/spec/suspend").asBoolean()).isFalse();
        assertThat(run.out()).endsWith("✔ Kustomization resumed\n").doesNotContain("waiting");
    }

    @Test
    void resumeReportsAFailedReconciliationWithExitCode1() throws Exception {
        cluster.conflux("suspend", "kustomization", "apps", "-n", "apps");
        Run run = cluster.answering(FluxObjectKind.KUSTOMIZATION, "apps", "apps",
                requested -> TestCluster.status(requested, false, "kustomize build failed", ""),
                () -> cluster.conflux("resume", "kustomization", "apps", "-n", "apps", "--timeout", "20s"));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("✗ Kustomization reconciliation failed: 'kustomize build failed'");
    }

    @Test
    void aMissingObjectFails() {
        Run run = cluster.conflux("suspend", "hr", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("conflux suspend helmrelease: ");
    }
}
