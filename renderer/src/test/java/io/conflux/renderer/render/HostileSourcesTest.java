package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitMirror;
import io.conflux.git.GitUrlRewriter;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.Revision;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's repository with hostile YAML (issue #11, defect 3): a Flux object of the bundle holding an alias bomb,
 * or nested 10,000 levels deep, fails that render with {@code BuildFailed} naming the file and the bound; the
 * renderer goes on rendering other objects.
 */
class HostileSourcesTest {
    final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path tmp;

    static String aliasBomb() {
        StringBuilder b = new StringBuilder("  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            b.append("  ").append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                b.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            b.append("]\n");
        }
        return b.toString();
    }

    private KustomizationRenderer renderer() {
        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://github.com/", tmp.resolve("src/github.com").toUri().toString()));
        return new KustomizationRenderer(new GitMirror(tmp.resolve("mirrors"), rewriter, Duration.ofSeconds(20)), json);
    }

    private RenderOutcome render(String repo, Map<String, String> files) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme").resolve(repo));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.createDirectories(work.resolve(f.getKey()).getParent());
            Files.writeString(work.resolve(f.getKey()), f.getValue());
        }
        String sha = TestRepositories.commit(work, "main");
        KustomizationSpec spec = Serialization.unmarshal("{\"path\":\"./clusters/prod\"}", KustomizationSpec.class);
        return renderer().render(new ObjectKey(GitRepository.KIND, "flux-system", repo), "https://github.com/acme/" + repo,
                new Revision("main", sha), spec);
    }

    @Test
    void aFluxObjectHoldingAnAliasBombFailsItsRenderNamingTheFileAndTheRendererGoesOn() throws Exception {
        RenderOutcome bomb = render("bomb", Map.of("clusters/prod/apps.yaml", """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: flux-system
                spec:
                  interval: 10m
                  path: ./apps
                  prune: true
                  sourceRef: {kind: GitRepository, name: flux-system}
                  postBuild:
                    substitute:
                """ + aliasBomb().replace("  ", "      ")));

        assertThat(bomb.bundle()).isNull();
        assertThat(bomb.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(bomb.message()).matches("kustomize build failed: (clusters/prod/)?apps\\.yaml:\\d+:\\d+: excessive aliasing.*");
        assertThat(bomb.deterministic()).isTrue();

        RenderOutcome good = render("good", Map.of("clusters/prod/apps.yaml", """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                  namespace: flux-system
                spec:
                  interval: 10m
                  path: ./apps
                  prune: true
                  sourceRef: {kind: GitRepository, name: flux-system}
                """));
        assertThat(good.message()).isNull();
        assertThat(good.bundle().objectCount()).isEqualTo(1);
    }

    @Test
    void aFluxObjectNestedTenThousandLevelsFailsNamingTheFileNotAStackOverflow() throws Exception {
        RenderOutcome deep = render("deep", Map.of("clusters/prod/apps.yaml", """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: apps
                spec:
                  x: %s
                """.formatted("[".repeat(10_000) + "]".repeat(10_000))));

        assertThat(deep.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(deep.message()).matches("kustomize build failed: (clusters/prod/)?apps\\.yaml:6:\\d+: nesting deeper than 500 levels");
    }
}
