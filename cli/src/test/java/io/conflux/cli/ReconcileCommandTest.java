package io.conflux.cli;

import static io.conflux.cli.TestCluster.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.cli.TestCluster.Run;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconcileCommandTest {
    static final String REVISION = "main@sha1:0123456789abcdef0123456789abcdef01234567";

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
                spec: {url: https://github.com/stefanprodan/podinfo, interval: 1m, ref: {branch: master}}
                """);
        cluster.create("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: legacy, namespace: apps}
                spec: {url: https://github.com/stefanprodan/podinfo, interval: 1m}
                """);
        cluster.create("""
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: HelmRepository
                metadata: {name: bitnami, namespace: flux-system}
                spec: {url: https://charts.bitnami.com/bitnami, interval: 1h}
                """);
        for (String name : new String[] {"apps", "broken", "silent", "before", "after", "with-source"}) {
            cluster.create("""
                    apiVersion: kustomize.toolkit.fluxcd.io/v1
                    kind: Kustomization
                    metadata: {name: %s, namespace: flux-system}
                    spec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: podinfo}}
                    """.formatted(name));
        }
        cluster.create("""
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: paused, namespace: flux-system}
                spec: {interval: 10m, path: ./apps, prune: true, suspend: true, sourceRef: {kind: GitRepository, name: podinfo}}
                """);
        cluster.create("""
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: podinfo, namespace: apps}
                spec: {interval: 10m, chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}}
                """);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void reconcileSourceGitAnnotatesTheGitRepositoryAndWaitsForTheController() throws Exception {
        Run run = cluster.answering(FluxObjectKind.GIT_REPOSITORY, "flux-system", "podinfo",
                requested -> status(requested, true, "stored artifact for revision '" + REVISION + "'",
                        TestCluster.artifact(REVISION)),
                () -> cluster.conflux("reconcile", "source", "git", "podinfo", "--timeout", "20s"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        var repo = cluster.read(FluxObjectKind.GIT_REPOSITORY, "flux-system", "podinfo");
        String requested = repo.at("/metadata/annotations").path(ReconcileCommand.REQUESTED_AT).asText();
        assertThat(requested).isNotEmpty().isEqualTo(repo.at("/status/lastHandledReconcileAt").asText());
        assertThat(run.out()).isEqualTo("""
                ► annotating GitRepository podinfo in flux-system namespace
                ✔ GitRepository annotated
                ◎ waiting for GitRepository reconciliation
                ✔ GitRepository reconciliation completed
                ✔ fetched revision %s
                """.formatted(REVISION));
    }

    @Test
    void reconcileKustomizationPrintsTheAppliedRevision() throws Exception {
        Run run = cluster.answering(FluxObjectKind.KUSTOMIZATION, "flux-system", "apps",
                requested -> status(requested, true, "Applied revision: " + REVISION,
                        "\"lastAppliedRevision\":\"" + REVISION + "\""),
                () -> cluster.conflux("reconcile", "kustomization", "apps", "--timeout", "20s"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("✔ Kustomization reconciliation completed\n✔ applied revision " + REVISION + "\n");
    }

    @Test
    void readyFalseAfterTheRequestPrintsTheReadyMessageAndExitsWith1() throws Exception {
        Run run = cluster.answering(FluxObjectKind.KUSTOMIZATION, "flux-system", "broken",
                requested -> status(requested, false, "kustomize build failed: accumulating resources", ""),
                () -> cluster.conflux("reconcile", "ks", "broken", "--timeout", "20s"));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("✗ Kustomization reconciliation failed: 'kustomize build failed: accumulating resources'\n");
        assertThat(run.out()).doesNotContain("✔ Kustomization reconciliation completed");
    }

    @Test
    void nobodyAnsweringTimesOutWithAnError() {
        long started = System.nanoTime();
        Run run = cluster.conflux("reconcile", "ks", "silent", "--timeout", "1s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("conflux reconcile kustomization: timed out after 1s waiting for Kustomization flux-system/silent")
                .contains("status.lastHandledReconcileAt is unset");
        assertThat(System.nanoTime() - started).isBetween(1_000_000_000L, 10_000_000_000L);
        assertThat(cluster.read(FluxObjectKind.KUSTOMIZATION, "flux-system", "silent").at("/metadata/annotations")
                .path(ReconcileCommand.REQUESTED_AT).asText()).isNotEmpty();
    }

    @Test
    void timeoutIsAcceptedBeforeTheKindToo() {
        Run run = cluster.conflux("reconcile", "--timeout", "1s", "kustomization", "before");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("timed out after 1s");
    }

    @Test
    void aTimeoutThatIsNotAGoDurationIsAUsageError() {
        Run run = cluster.conflux("reconcile", "ks", "after", "--timeout", "5 minutes");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'5 minutes' is not a Go duration");
    }

    @Test
    void reconcileHelmReleaseInItsNamespace() throws Exception {
        Run run = cluster.answering(FluxObjectKind.HELM_RELEASE, "apps", "podinfo",
                requested -> status(requested, true, "Helm upgrade succeeded", "\"lastAttemptedRevision\":\"6.5.4\""),
                () -> cluster.conflux("reconcile", "hr", "podinfo", "-n", "apps", "--timeout", "20s"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("► annotating HelmRelease podinfo in apps namespace\n")
                .endsWith("✔ applied revision 6.5.4\n");
    }

    @Test
    void reconcileSourceHelmAnnotatesTheHelmRepository() {
        Run run = cluster.conflux("reconcile", "source", "helm", "bitnami", "--timeout", "200ms");

        assertThat(run.err()).contains("timed out after 200ms waiting for HelmRepository flux-system/bitnami");
        assertThat(cluster.read(FluxObjectKind.HELM_REPOSITORY, "flux-system", "bitnami").at("/metadata/annotations")
                .path(ReconcileCommand.REQUESTED_AT).asText()).isNotEmpty();
    }

    @Test
    void withSourceReconcilesTheGitRepositoryFirst() throws Exception {
        Run run = cluster.answering(FluxObjectKind.GIT_REPOSITORY, "flux-system", "podinfo",
                requested -> status(requested, true, "stored", TestCluster.artifact(REVISION)),
                () -> answeringKustomization("with-source",
                        () -> cluster.conflux("reconcile", "ks", "with-source", "--with-source", "--timeout", "20s")));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).containsSubsequence("► annotating GitRepository podinfo", "✔ fetched revision " + REVISION,
                "► annotating Kustomization with-source", "✔ applied revision " + REVISION);
    }

    private static Run answeringKustomization(String name, java.util.function.Supplier<Run> action) {
        try {
            return cluster.answering(FluxObjectKind.KUSTOMIZATION, "flux-system", name,
                    requested -> status(requested, true, "Applied", "\"lastAppliedRevision\":\"" + REVISION + "\""), action);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSuspendedObjectIsRefused() {
        Run run = cluster.conflux("reconcile", "ks", "paused");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Kustomization flux-system/paused: resource is suspended");
        assertThat(cluster.read(FluxObjectKind.KUSTOMIZATION, "flux-system", "paused").at("/metadata/annotations")
                .path(ReconcileCommand.REQUESTED_AT).isMissingNode()).isTrue();
    }

    @Test
    void aMissingObjectIsNamed() {
        Run run = cluster.conflux("reconcile", "source", "git", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("GitRepository flux-system/nope not found");
    }

    @Test
    void sourceWithoutGitOrHelmIsAUsageError() {
        Run run = TestCluster.run("reconcile", "source");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required subcommand: git or helm");
    }

    @Test
    void theEarlierSourceNameFormStillMeansAGitRepository() {
        Run run = cluster.conflux("reconcile", "source", "legacy", "-n", "apps", "--timeout", "200ms");

        assertThat(run.out()).startsWith("► annotating GitRepository legacy in apps namespace\n");
        assertThat(run.err()).contains("timed out after 200ms waiting for GitRepository apps/legacy");
        assertThat(cluster.read(FluxObjectKind.GIT_REPOSITORY, "apps", "legacy").at("/metadata/annotations")
                .path(ReconcileCommand.REQUESTED_AT).asText()).isNotEmpty();
    }
}
