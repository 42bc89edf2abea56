package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conflux.kustomize.Kustomizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux kustomize build --enable-helm}'s engine (Kustomizer with {@link KustomizeChartInflator}) prints the
 * same bytes as the reference {@code kubectl kustomize --enable-helm} (kubectl v1.35, kustomize v5.7.1) on a chart
 * fixture ({@code src/test/resources/kustomize-helm}: two releases of one chart — CRDs, a hook and a test hook,
 * values file + {@code additionalValuesFiles} + {@code valuesInline} with {@code override} and {@code merge},
 * {@code skipHooks}, {@code skipTests}, {@code apiVersions}, {@code kubeVersion}, namespace — under an overlay with
 * {@code namePrefix} and {@code commonLabels}).
 *
 * <p>kustomize v5.7's plugin runs {@code helm version -c --short} and requires Helm v3, while the reference Helm is
 * v4 (which has no {@code -c}): kubectl is given a two-line shim as {@code --helm-command} that answers the version
 * check with {@code v3.99.0} and hands every other command ({@code template}) to the reference Helm v4 unchanged.
 * Skipped when the reference tools are absent.
 */
class KustomizeHelmDifferentialTest {
  private static final Path BIN = Path.of(System.getProperty("user.home"), ".cache/conflux-ref/bin");
  private static final Path FIXTURE = Path.of("src/test/resources/kustomize-helm");

  @TempDir
  Path work;

  @Test
  void overlayOfTwoReleasesIsByteIdenticalToKubectlKustomizeEnableHelm() throws Exception {
    assumeTrue(Files.isExecutable(BIN.resolve("kubectl")) && Files.isExecutable(BIN.resolve("helm")),
        "reference kubectl/helm not installed in " + BIN + " (bash shared/tools/install-reference-tools.sh)");
    Path shim = work.resolve("helm-v3-shim");
    Files.writeString(shim, "#!/bin/sh\nif [ \"$1\" = version ]; then echo v3.99.0; exit 0; fi\nexec '"
        + BIN.resolve("helm") + "' \"$@\"\n");
    assertThat(shim.toFile().setExecutable(true)).isTrue();

    String reference = kubectlKustomize(shim, FIXTURE.resolve("overlay"));
    String ours = Kustomizer.create()
        .withChartInflator(new KustomizeChartInflator(work.resolve("cache"), Duration.ofSeconds(30)))
        .build(FIXTURE.resolve("overlay").toAbsolutePath())
        .toYaml();

    assertThat(reference).contains("kind: CustomResourceDefinition").contains("prod-web-shop-migrate")
        .contains("prod-web-shop-test").doesNotContain("prod-api-shop-test");
    assertThat(ours).isEqualTo(reference);
  }

  private String kubectlKustomize(Path shim, Path dir) throws IOException, InterruptedException {
    Path home = Files.createDirectories(work.resolve("helm-home"));
    ProcessBuilder pb = new ProcessBuilder(List.of(BIN.resolve("kubectl").toString(), "kustomize", "--enable-helm",
        "--helm-command", shim.toString(), dir.toAbsolutePath().toString()));
    pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
    pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
    pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
    Path err = work.resolve("kubectl.err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize failed: %s", Files.readString(err)).isZero();
    return out;
  }
}
