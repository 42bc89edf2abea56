package io.conflux.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.conflux.cli.local.Bootstrap;
import io.conflux.cli.local.FixtureRepositories;
import io.conflux.cli.local.LocalInstallation;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.source.GitRepository;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GitRepository.spec.include} across the services: the {@code apps} repository includes {@code shared}'s
 * {@code deploy} directory at {@code base/shared}, which its Kustomization builds from. A new commit in {@code shared}
 * (picked up by {@code flux reconcile source git shared}) reaches the cluster through the {@code apps} Kustomization,
 * whose revision stays {@code apps}' own, as in Flux.
 */
class GitRepositoryIncludeEndToEndTest {
    static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();

    static LocalInstallation conflux;
    static Path shared;
    static String appsSha;

    @BeforeAll
    static void start() throws Exception {
        Path work = PROJECT.resolve("e2e/target/include-" + System.currentTimeMillis());
        Path sharedSeed = work.resolve("seed/shared");
        Files.createDirectories(sharedSeed.resolve("deploy"));
        Files.writeString(sharedSeed.resolve("deploy/kustomization.yaml"), "resources:\n  - settings.yaml\n");
        Files.writeString(sharedSeed.resolve("deploy/settings.yaml"), settings("v1"));
        shared = work.resolve("git/shared");
        FixtureRepositories.create(sharedSeed, shared, "main");

        Path appsSeed = work.resolve("seed/apps");
        Files.createDirectories(appsSeed.resolve("clusters/prod"));
        Files.writeString(appsSeed.resolve("clusters/prod/kustomization.yaml"), "resources:\n  - ../../base/shared\n");
        Path apps = work.resolve("git/apps");
        appsSha = FixtureRepositories.create(appsSeed, apps, "main");

        Path platformSeed = work.resolve("seed/platform");
        Files.createDirectories(platformSeed.resolve("clusters/platform"));
        Files.writeString(platformSeed.resolve("clusters/platform/sources.yaml"), """
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: shared, namespace: flux-system}
                spec:
                  interval: 10m
                  url: %s
                  ref: {branch: main}
                ---
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: GitRepository
                metadata: {name: apps, namespace: flux-system}
                spec:
                  interval: 10m
                  url: %s
                  ref: {branch: main}
                  include:
                    - repository: {name: shared}
                      fromPath: deploy
                      toPath: base/shared
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: apps, namespace: flux-system}
                spec:
                  interval: 10m
                  path: ./clusters/prod
                  prune: true
                  sourceRef: {kind: GitRepository, name: apps}
                """.formatted("https://git.conflux.local/shared", "https://git.conflux.local/apps"));
        Path platform = work.resolve("git/platform");
        FixtureRepositories.create(platformSeed, platform, "main");

        conflux = LocalInstallation.start(new LocalInstallation.Options(PROJECT, work,
                Map.of("https://git.conflux.local/", work.resolve("git").toUri().toString()), null, Map.of(),
                Duration.ofMinutes(3)));
        Bootstrap.gitOps(conflux.client(), new Bootstrap.Source("flux-system", "platform",
                "https://git.conflux.local/platform", "main", "./clusters/platform", "1m"));
    }

    private static String settings(String level) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared-settings, namespace: default}\ndata: {level: "
                + level + "}\n";
    }

    @AfterAll
    static void stop() {
        if (conflux != null) {
            conflux.close();
        }
    }

    @Test
    void includedRepositoryContentIsAppliedAndFollowsItsNewRevisions() throws Exception {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(level()).isEqualTo("v1"));

        String v1Digest = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> artifactDigest("shared"), d -> d != null && d.matches("sha256:[0-9a-f]{64}"));
        Files.writeString(shared.resolve("deploy/settings.yaml"), settings("v2"));
        String sharedSha = FixtureRepositories.commitAll(shared, "v2");
        String url = "http://127.0.0.1:" + conflux.service("webhook-receiver").httpPort()
                + "/api/reconcile/source/git/flux-system/shared";
        HttpResponse<String> reconciled = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + conflux.controlToken())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reconciled.statusCode()).as(reconciled.body()).isEqualTo(200);
        assertThat(reconciled.body()).contains("main@sha1:" + sharedSha);

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(level()).isEqualTo("v2"));
        GitRepository apps = conflux.client().resources(GitRepository.class).inNamespace("flux-system").withName("apps").get();
        assertThat(apps.getStatus().artifact().revision()).isEqualTo("main@sha1:" + appsSha);
        // status.artifact.digest: the content's digest, new with the new revision's content
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(artifactDigest("shared")).matches("sha256:[0-9a-f]{64}").isNotEqualTo(v1Digest));
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Kustomization k = conflux.client().resources(Kustomization.class).inNamespace("flux-system").withName("apps").get();
            assertThat(k.getStatus().lastAppliedRevision()).isEqualTo("main@sha1:" + appsSha);
        });
    }

    private static String level() {
        ConfigMap cm = conflux.client().configMaps().inNamespace("default").withName("shared-settings").get();
        return cm == null || cm.getData() == null ? null : cm.getData().get("level");
    }

    private static String artifactDigest(String name) {
        GitRepository g = conflux.client().resources(GitRepository.class).inNamespace("flux-system").withName(name).get();
        return g == null || g.getStatus() == null || g.getStatus().artifact() == null ? null : g.getStatus().artifact().digest();
    }
}
