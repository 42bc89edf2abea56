package io.conflux.cli.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The bundled edge-site example: the seeds' multi-site layout ({@code ecs-infra-example}, {@code ecs-apps-example},
 * {@code podinfo}) turned into local Git repositories laid out like their GitHub URLs, so that one insteadOf
 * rewrite ({@code https://github.com/} → the local directory) serves every {@code GitRepository} in them, as an
 * air-gapped site's mirror would. The site bootstraps from {@code ecs-infra} at {@code sites/new_york}.
 *
 * @param mirrorRoot     directory standing for {@code https://github.com/}
 * @param infraUrl       the URL the bootstrap GitRepository names
 * @param infraRepo      local path of the infra repository
 * @param appsRepo       local path of the apps repository
 * @param podinfoRepo    local path of the podinfo repository
 */
public record EdgeSiteExample(Path mirrorRoot, String infraUrl, Path infraRepo, Path appsRepo, Path podinfoRepo) {
    /** The URL prefix the example's manifests use. */
    public static final String GITHUB = "https://github.com/";
    /** Path of the bootstrap Kustomization inside the infra repository. */
    public static final String SITE_PATH = "./sites/new_york";

    /**
     * Creates the three repositories under {@code workDir/git/github.com} from {@code fixtures}
     * (the directory holding {@code ecs-infra-example}, {@code ecs-apps-example}, {@code podinfo}).
     */
    public static EdgeSiteExample create(Path fixtures, Path workDir) {
        Path root = workDir.resolve("git").resolve("github.com").toAbsolutePath();
        Path infra = root.resolve("saqebakhter/ecs-infra-example.git");
        Path apps = root.resolve("saqebakhter/ecs-apps-example.git");
        Path podinfo = root.resolve("stefanprodan/podinfo");
        FixtureRepositories.create(fixtures.resolve("ecs-infra-example"), infra, "main");
        FixtureRepositories.create(fixtures.resolve("ecs-apps-example"), apps, "main");
        FixtureRepositories.create(fixtures.resolve("podinfo"), podinfo, "master");
        return new EdgeSiteExample(root, GITHUB + "saqebakhter/ecs-infra-example.git", infra, apps, podinfo);
    }

    /**
     * Applies what a vSphere edge cluster has before GitOps starts and the manifests assume
     * ({@code deploy/examples/edge-site/platform}: the VM Operator and ESX CRDs, the {@code esx-system} namespace).
     *
     * @param projectRoot the Conflux checkout
     */
    public static void installPlatform(KubernetesClient client, Path projectRoot) {
        try (Stream<Path> files = Files.list(projectRoot.resolve("deploy/examples/edge-site/platform"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                client.resource(Files.readString(file)).fieldManager("conflux-bootstrap").forceConflicts().serverSideApply();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the insteadOf rewrite mapping GitHub to the local mirror root */
    public Map<String, String> urlRewrites() {
        return Map.of(GITHUB, mirrorRoot.toUri().toString());
    }
}
