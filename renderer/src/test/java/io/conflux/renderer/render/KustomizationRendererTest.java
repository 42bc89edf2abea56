package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitCredentials;
import io.conflux.git.GitMirror;
import io.conflux.git.GitSource;
import io.conflux.git.testing.LocalSshGitServer;
import io.conflux.git.testing.SshKeys;
import io.conflux.git.GitUrlRewriter;
import io.conflux.git.KustomizeRemoteFetcher;
import io.conflux.model.kustomize.Kustomization;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders the seeds' fixture repositories (../shared/fixtures/repos) from real Git repositories. */
class KustomizationRendererTest {
    static final Path FIXTURES = Path.of("../../shared/fixtures/repos");
    final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void podinfoWithFluxPatchesAndTargetNamespace() throws Exception {
        String sha = repoFrom("podinfo", "stefanprodan/podinfo", "master");
        Kustomization k = kustomization("ecs-apps-example/base/podinfo-kustomization.yaml", "podinfo");
        RenderOutcome outcome = renderer().render(source("stefanprodan/podinfo"), "https://github.com/stefanprodan/podinfo", new Revision("master", sha), k.getSpec());

        assertThat(outcome.message()).isNull();
        List<Map<String, Object>> objects = objects(outcome);
        assertThat(objects).hasSize(3);
        assertThat(objects).allSatisfy(o -> assertThat(meta(o).get("namespace")).isEqualTo("podinfo-git"));
        Map<String, Object> hpa = find(objects, "HorizontalPodAutoscaler");
        assertThat(((Map<?, ?>) hpa.get("spec")).get("minReplicas")).isEqualTo(2);
        Map<String, Object> service = find(objects, "Service");
        Map<?, ?> spec = (Map<?, ?>) service.get("spec");
        assertThat(spec.get("type")).isEqualTo("NodePort");
        assertThat((List<?>) spec.get("ports")).anySatisfy(p -> assertThat(((Map<?, ?>) p).get("nodePort")).isEqualTo(30098));
        assertThat(outcome.bundle().digest()).startsWith("sha256:").hasSize(71);
    }

    @Test
    void directoryWithoutKustomizationFileIsGeneratedLikeFlux() throws Exception {
        String sha = repoFrom("ecs-infra-example", "saqebakhter/ecs-infra-example.git", "main");
        KustomizationSpec spec = Serialization.unmarshal("{\"path\":\"./sites/new_york\",\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"ecs-infra\"}}", KustomizationSpec.class);
        RenderOutcome outcome = renderer().render(source("saqebakhter/ecs-infra-example.git"), "https://github.com/saqebakhter/ecs-infra-example.git", new Revision("main", sha), spec);

        assertThat(outcome.message()).isNull();
        assertThat(objects(outcome)).extracting(o -> o.get("kind") + "/" + meta(o).get("name"))
                .containsExactlyInAnyOrder("GitRepository/ecs-infra", "GitRepository/ecs-apps",
                        "Kustomization/base-infra", "Kustomization/new-york-apps");
    }

    @Test
    void malformedYamlFailsTheBuildNamingTheFile() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme/apps"));
        Files.writeString(work.resolve("kustomization.yaml"), "resources:\n  - good.yaml\n  - bad.yaml\n");
        Files.writeString(work.resolve("good.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n");
        Files.writeString(work.resolve("bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
        String sha = TestRepositories.commit(work, "main");
        KustomizationSpec spec = Serialization.unmarshal("{\"path\":\"./\"}", KustomizationSpec.class);
        RenderOutcome outcome = renderer().render(source("acme/apps"), "https://github.com/acme/apps", new Revision("main", sha), spec);

        assertThat(outcome.bundle()).isNull();
        assertThat(outcome.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(outcome.message()).contains("bad.yaml");
        assertThat(outcome.deterministic()).isTrue();
    }

    @Test
    void remoteBasesAreRefusedUnlessConfiguredAndThenFetchedThroughTheRewrite() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("src/github.com/acme/base/deploy"));
        Files.writeString(base.resolve("kustomization.yaml"), "resources:\n  - cm.yaml\n");
        Files.writeString(base.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-base\n");
        TestRepositories.commit(tmp.resolve("src/github.com/acme/base"), "main");
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme/apps"));
        Files.writeString(work.resolve("kustomization.yaml"),
                "namePrefix: x-\nresources:\n  - github.com/acme/base//deploy?ref=main\n");
        String sha = TestRepositories.commit(work, "main");
        KustomizationSpec spec = Serialization.unmarshal("{\"path\":\"./\"}", KustomizationSpec.class);

        RenderOutcome refused = renderer().render(source("acme/apps"), "https://github.com/acme/apps",
                new Revision("main", sha), spec);
        assertThat(refused.bundle()).isNull();
        assertThat(refused.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(refused.message()).contains("github.com/acme/base//deploy?ref=main")
                .contains("conflux.renderer.kustomize.remote-bases");

        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://github.com/",
                tmp.resolve("src/github.com").toUri().toString()));
        KustomizationRenderer withRemoteBases = new KustomizationRenderer(new GitMirror(tmp.resolve("mirrors"), rewriter,
                Duration.ofSeconds(20)), json, true, new KustomizeRemoteFetcher(rewriter, Duration.ofSeconds(20),
                10_000_000, false));
        RenderOutcome built = withRemoteBases.render(source("acme/apps"), "https://github.com/acme/apps",
                new Revision("main", sha), spec);
        assertThat(built.message()).isNull();
        assertThat(objects(built)).extracting(o -> meta(o).get("name")).containsExactly("x-from-base");
    }

    @Test
    void missingRevisionIsAnArtifactFailureThatCanBeRetried() throws Exception {
        repoFrom("podinfo", "stefanprodan/podinfo", "master");
        KustomizationSpec spec = Serialization.unmarshal("{\"path\":\"./kustomize\"}", KustomizationSpec.class);
        RenderOutcome outcome = renderer().render(source("stefanprodan/podinfo"), "https://github.com/stefanprodan/podinfo", new Revision("master", "1".repeat(40)), spec);
        assertThat(outcome.reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
        assertThat(outcome.deterministic()).isFalse();
    }

    @Test
    void includedRepositoryIsBuiltIntoTheIncludingTreeAtToPath() throws Exception {
        // the included repository: manifests under deploy/kubernetes, a README its own .sourceignore leaves out
        Path shared = Files.createDirectories(tmp.resolve("src/github.com/acme/shared"));
        Files.createDirectories(shared.resolve("deploy/kubernetes"));
        Files.writeString(shared.resolve("deploy/kubernetes/kustomization.yaml"), "resources:\n  - config.yaml\n");
        Files.writeString(shared.resolve("deploy/kubernetes/config.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared-config\ndata:\n  level: info\n");
        String sharedSha = TestRepositories.commit(shared, "main");
        // the including repository refers to base/shared, which only the include provides
        Path apps = Files.createDirectories(tmp.resolve("src/github.com/acme/apps"));
        Files.createDirectories(apps.resolve("clusters/prod"));
        Files.writeString(apps.resolve("clusters/prod/kustomization.yaml"),
                "resources:\n  - ../../base/shared\n  - app.yaml\n");
        Files.writeString(apps.resolve("clusters/prod/app.yaml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n");
        String appsSha = TestRepositories.commit(apps, "main");

        GitSource included = new GitSource(source("shared"), "https://github.com/acme/shared", new Revision("main", sharedSha),
                GitCredentials.NONE, null, null, List.of());
        GitSource source = new GitSource(source("apps"), "https://github.com/acme/apps", new Revision("main", appsSha),
                GitCredentials.NONE, null, null, List.of(new GitSource.Include(included, "deploy/kubernetes", "base/shared")));
        KustomizationSpec spec = Serialization.unmarshal("{\"path\":\"./clusters/prod\"}", KustomizationSpec.class);
        RenderOutcome outcome = renderer().render(source, spec, (kind, name) -> null);

        assertThat(outcome.message()).isNull();
        assertThat(objects(outcome)).extracting(o -> meta(o).get("name")).containsExactlyInAnyOrder("shared-config", "app");

        // the same revision of apps without the include: the path it relies on is missing, a build failure
        GitSource alone = new GitSource(source("apps"), source.url(), source.revision(), GitCredentials.NONE, null, null, List.of());
        RenderOutcome without = renderer().render(alone, spec, (kind, name) -> null);
        assertThat(without.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(without.message()).contains("base/shared");
    }

    @Test
    void rendersFromAnSshSourceWithTheSecretsKeyAndKnownHosts() throws Exception {
        String sha = repoFrom("podinfo", "stefanprodan/podinfo", "master");
        SshKeys client = SshKeys.generate();
        try (LocalSshGitServer server = LocalSshGitServer.start(tmp.resolve("src/github.com"), client.keyPair().getPublic())) {
            String url = server.url("stefanprodan/podinfo");
            Kustomization k = kustomization("ecs-apps-example/base/podinfo-kustomization.yaml", "podinfo");
            GitCredentials ssh = GitCredentials.fromSecretData(Map.of(
                    "identity", client.privateKey().getBytes(StandardCharsets.UTF_8),
                    "known_hosts", server.knownHosts().getBytes(StandardCharsets.UTF_8)));
            GitSource source = new GitSource(source("podinfo"), url, new Revision("master", sha), ssh, Duration.ofSeconds(20), null, List.of());
            RenderOutcome outcome = renderer().render(source, k.getSpec(), (kind, name) -> null);
            assertThat(outcome.message()).isNull();
            assertThat(objects(outcome)).hasSize(3);

            // known_hosts with another key for the host: the fetch is refused, an ArtifactFailed to retry (another URL
            // of the same repository, so that its mirror has to fetch)
            GitCredentials wrongHost = GitCredentials.fromSecretData(Map.of(
                    "identity", client.privateKey().getBytes(StandardCharsets.UTF_8),
                    "known_hosts", SshKeys.generate().knownHostsLine("127.0.0.1", server.port()).getBytes(StandardCharsets.UTF_8)));
            GitSource refused = new GitSource(source("podinfo"), server.url("stefanprodan/podinfo.git"), new Revision("master", sha),
                    wrongHost, Duration.ofSeconds(20), null, List.of());
            RenderOutcome failed = renderer().render(refused, k.getSpec(), (kind, name) -> null);
            assertThat(failed.reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
            assertThat(failed.message()).contains("does not match known_hosts");
            assertThat(failed.deterministic()).isFalse();
        }
    }

    /**
     * The Flux fields kustomize-controller's generator writes into the kustomization before the build:
     * {@code namePrefix}/{@code nameSuffix} (references follow the new names), {@code images}, {@code components}
     * (relative to {@code path}) and {@code commonMetadata} (labels and annotations on every object, selectors left
     * alone). Each assertion fails if its field were dropped.
     */
    @Test
    void namePrefixSuffixImagesComponentsAndCommonMetadata() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme/fields"));
        Files.createDirectories(work.resolve("app"));
        Files.createDirectories(work.resolve("components/debug"));
        Files.writeString(work.resolve("app/kustomization.yaml"), "resources:\n  - app.yaml\n");
        Files.writeString(work.resolve("app/app.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                data:
                  level: info
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  selector:
                    matchLabels: {app: web}
                  template:
                    metadata:
                      labels: {app: web}
                    spec:
                      containers:
                        - name: web
                          image: nginx:1.25
                          envFrom:
                            - configMapRef: {name: settings}
                """);
        Files.writeString(work.resolve("components/debug/kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                patches:
                  - target: {kind: ConfigMap, name: settings}
                    patch: |
                      - op: replace
                        path: /data/level
                        value: debug
                """);
        String sha = TestRepositories.commit(work, "main");
        KustomizationSpec spec = Serialization.unmarshal("""
                {"path": "./app", "namePrefix": "pre-", "nameSuffix": "-suf",
                 "images": [{"name": "nginx", "newName": "registry.local/nginx", "newTag": "1.27"}],
                 "components": ["../components/debug"],
                 "commonMetadata": {"labels": {"team": "platform"}, "annotations": {"owner": "sre"}}}""",
                KustomizationSpec.class);
        RenderOutcome outcome = renderer().render(source("acme/fields"), "https://github.com/acme/fields", new Revision("main", sha), spec);

        assertThat(outcome.message()).isNull();
        List<Map<String, Object>> objects = objects(outcome);
        assertThat(objects).extracting(o -> meta(o).get("name")).containsExactlyInAnyOrder("pre-settings-suf", "pre-web-suf");
        assertThat(objects).allSatisfy(o -> {
            assertThat(meta(o).get("labels")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("team", "platform");
            assertThat(meta(o).get("annotations")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("owner", "sre");
        });
        Map<String, Object> settings = find(objects, "ConfigMap");
        assertThat(settings.get("data")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("level", "debug");
        String deployment = json.writeValueAsString(find(objects, "Deployment"));
        assertThat(deployment).contains("\"image\":\"registry.local/nginx:1.27\"")
                .contains("\"configMapRef\":{\"name\":\"pre-settings-suf\"}")
                .contains("\"matchLabels\":{\"app\":\"web\"}");
    }

    /**
     * {@code spec.ignoreMissingComponents} (Flux 2.6+): a listed component that is not in the source is left out; without
     * the field the same spec fails the build naming the component.
     */
    @Test
    void ignoreMissingComponentsSkipsAbsentComponentsOnly() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme/components"));
        Files.createDirectories(work.resolve("app"));
        Files.createDirectories(work.resolve("components/debug"));
        Files.writeString(work.resolve("app/app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n");
        Files.writeString(work.resolve("components/debug/kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                patches:
                  - target: {kind: ConfigMap, name: settings}
                    patch: |
                      - op: replace
                        path: /data/level
                        value: debug
                """);
        String sha = TestRepositories.commit(work, "main");
        String fields = "\"path\": \"./app\", \"components\": [\"../components/debug\", \"../components/tls\"]";
        KustomizationSpec ignoring = Serialization.unmarshal("{" + fields + ", \"ignoreMissingComponents\": true}",
                KustomizationSpec.class);
        KustomizationSpec strict = Serialization.unmarshal("{" + fields + "}", KustomizationSpec.class);

        RenderOutcome skipped = renderer().render(source("acme/components"), "https://github.com/acme/components",
                new Revision("main", sha), ignoring);
        assertThat(skipped.message()).isNull();
        assertThat(find(objects(skipped), "ConfigMap").get("data")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("level", "debug");

        RenderOutcome failed = renderer().render(source("acme/components"), "https://github.com/acme/components",
                new Revision("main", sha), strict);
        assertThat(failed.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(failed.message()).contains("components/tls");
    }

    /**
     * postBuild through a whole render: Flux's forms expand, an undefined variable without default fails in strict mode
     * naming the variable and the object (not the value), {@code substituteStrategy: Always} expands defaults with no
     * variable defined, and without it nothing is substituted when no variable is defined (Flux's WithVariables).
     */
    @Test
    void postBuildFormsStrictModeAndSubstituteStrategy() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme/postbuild"));
        Files.writeString(work.resolve("cm.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: vars
                data:
                  region: "${region/-west-/-w-}"
                  upper: "${region^^}"
                  short: "${region:0:2}"
                  env: "${env:=dev}"
                """);
        Files.writeString(work.resolve("more.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: more
                data:
                  zone: "${zone}"
                """);
        String sha = TestRepositories.commit(work, "main");
        Revision revision = new Revision("main", sha);
        String url = "https://github.com/acme/postbuild";

        KustomizationSpec defined = Serialization.unmarshal(
                "{\"path\": \"./\", \"postBuild\": {\"substitute\": {\"region\": \"eu-west-1\", \"zone\": \"a\"}}}",
                KustomizationSpec.class);
        RenderOutcome ok = renderer().render(source("acme/postbuild"), url, revision, defined);
        assertThat(ok.message()).isNull();
        Map<String, Object> vars = objects(ok).stream().filter(o -> "vars".equals(meta(o).get("name"))).findFirst().orElseThrow();
        assertThat(vars.get("data")).isEqualTo(Map.of("region", "eu-w-1", "upper", "EU-WEST-1", "short", "eu", "env", "dev"));

        KustomizationSpec missing = Serialization.unmarshal(
                "{\"path\": \"./\", \"postBuild\": {\"substitute\": {\"region\": \"s3cr3t-value\"}}}",
                KustomizationSpec.class);
        RenderOutcome strict = renderer().render(source("acme/postbuild"), url, revision, missing);
        assertThat(strict.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(strict.message()).contains("ConfigMap/more").contains("variable not set (strict mode): \"zone\"")
                .doesNotContain("s3cr3t-value");

        KustomizationSpec always = Serialization.unmarshal(
                "{\"path\": \"./\", \"postBuild\": {\"substituteStrategy\": \"Always\", \"substitute\": {}}}",
                KustomizationSpec.class);
        RenderOutcome lenient = new KustomizationRenderer(new GitMirror(tmp.resolve("mirrors"), new GitUrlRewriter(
                Map.of("https://github.com/", tmp.resolve("src/github.com").toUri().toString())), Duration.ofSeconds(20)),
                json, false).render(source("acme/postbuild"), url, revision, always);
        assertThat(lenient.message()).isNull();
        Map<String, Object> expanded = objects(lenient).stream().filter(o -> "vars".equals(meta(o).get("name"))).findFirst().orElseThrow();
        assertThat(expanded.get("data")).asInstanceOf(InstanceOfAssertFactories.MAP).containsEntry("env", "dev")
                .containsEntry("short", null);

        KustomizationSpec noVariables = Serialization.unmarshal("{\"path\": \"./\", \"postBuild\": {\"substitute\": {}}}",
                KustomizationSpec.class);
        RenderOutcome untouched = renderer().render(source("acme/postbuild"), url, revision, noVariables);
        assertThat(untouched.message()).isNull();
        assertThat(objects(untouched).stream().filter(o -> "more".equals(meta(o).get("name"))).findFirst().orElseThrow()
                .get("data")).isEqualTo(Map.of("zone", "${zone}"));
    }

    /** @return GitRepository {@code default/<last path segment of repo>}, whose mirror is read */
    private static ObjectKey source(String repo) {
        String name = repo.replaceAll(".*/", "").replace(".git", "");
        return new ObjectKey("GitRepository", "default", name);
    }

    private KustomizationRenderer renderer() {
        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://github.com/", tmp.resolve("src/github.com").toUri().toString()));
        // strict postBuild substitution, so that a test meaning an undefined variable fails (the default is lenient)
        return new KustomizationRenderer(new GitMirror(tmp.resolve("mirrors"), rewriter, Duration.ofSeconds(20)), json, true);
    }

    private String repoFrom(String fixture, String path, String branch) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com").resolve(path));
        TestRepositories.copy(FIXTURES.resolve(fixture), work);
        return TestRepositories.commit(work, branch);
    }

    private static Kustomization kustomization(String file, String name) throws IOException {
        String text = Files.readString(FIXTURES.resolve(file));
        for (String doc : text.split("(?m)^---\\s*$")) {
            if (doc.contains("kind: Kustomization") && doc.contains("name: " + name)) {
                return Serialization.unmarshal(doc, Kustomization.class);
            }
        }
        throw new IllegalArgumentException(name + " not in " + file);
    }

    private List<Map<String, Object>> objects(RenderOutcome outcome) throws IOException {
        return json.readValue(outcome.bundle().content(), new TypeReference<>() { });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> meta(Map<String, Object> o) {
        return (Map<String, Object>) o.get("metadata");
    }

    private static Map<String, Object> find(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).findFirst().orElseThrow();
    }
}
