package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.conflux.cli.TestCluster.Run;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux tree}: Kustomizations' inventories from their status on the API server (Flux's real CRDs), a
 * HelmRelease's from a stand-in for the applier's {@code /api/inventory} endpoint.
 */
class TreeCommandTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void start() throws java.io.IOException {
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
        // Flux's HelmRelease v2 status has no inventory: the applier keeps it in its row, served at /api/inventory
        applier = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        applier.createContext("/api/inventory/HelmRelease/apps/podinfo", exchange -> {
            byte[] body = inventory("apps_podinfo__Service", "apps_podinfo_apps_Deployment")
                    .replaceFirst("^\\{\"inventory\":(.*)\\}$", "$1").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        applier.start();
    }

    static HttpServer applier;

    static String applierUrl() {
        return "http://127.0.0.1:" + applier.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        applier.stop(0);
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
        Run run = cluster.conflux("tree", "kustomization", "flux-system", "--applier-url", applierUrl());

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
        Run run = cluster.conflux("tree", "hr", "podinfo", "-n", "apps", "--applier-url", applierUrl());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("""
                HelmRelease/apps/podinfo
                ├── Service/apps/podinfo
                └── Deployment/apps/podinfo
                """);
    }

    @Test
    void aHelmReleaseWhoseInventoryCannotBeReadShowsNoChildrenAndSaysWhy() {
        Run run = cluster.conflux("tree", "hr", "podinfo", "-n", "apps", "--applier-url", "http://127.0.0.1:1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("HelmRelease/apps/podinfo\n");
        assertThat(run.err()).contains("HelmRelease/apps/podinfo: inventory not read from "
                + "http://127.0.0.1:1/api/inventory/HelmRelease/apps/podinfo");
    }
}
