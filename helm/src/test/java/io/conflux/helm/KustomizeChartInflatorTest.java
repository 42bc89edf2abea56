package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.helm.testing.LocalChartRepository;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code helmCharts} entry with {@code repo} and {@code version} whose chart is not on disk is pulled from a real
 * (local) chart repository into {@code charts/<name>-<version>/<name>}, as kustomize's {@code helm pull --untar}, then
 * rendered; once there it is not fetched again. A chart that is neither on disk nor has a repo fails naming the file.
 */
class KustomizeChartInflatorTest {
  private static final Path SHOP = Path.of("src/test/resources/kustomize-helm/base/charts/shop");

  @TempDir
  Path dir;

  @Test
  void aMissingChartIsPulledFromItsRepositoryOnceAndRendered() throws Exception {
    try (LocalChartRepository repo = LocalChartRepository.start(SHOP)) {
      Files.writeString(dir.resolve("kustomization.yaml"), "helmCharts:\n- name: shop\n  repo: " + repo.url()
          + "\n  version: 1.2.3\n  releaseName: pulled\n  skipHooks: true\n  skipTests: true\n");
      Kustomizer k = Kustomizer.create()
          .withChartInflator(new KustomizeChartInflator(dir.resolve("cache"), Duration.ofSeconds(30)));

      String first = k.build(dir).toYaml();
      String second = k.build(dir).toYaml();

      assertThat(dir.resolve("charts/shop-1.2.3/shop/Chart.yaml")).exists();
      assertThat(first).contains("name: pulled-shop-config").contains("kind: Deployment")
          .doesNotContain("helm.sh/hook");
      assertThat(second).isEqualTo(first);
      assertThat(repo.requestCount("index.yaml")).as("index fetched for the first build only").isEqualTo(1);
    }
  }

  @Test
  void aChartNeitherOnDiskNorWithARepoFailsNamingTheFile() throws Exception {
    Files.writeString(dir.resolve("kustomization.yaml"), "helmCharts:\n- name: absent\n  releaseName: r\n");

    assertThatThrownBy(() -> Kustomizer.create()
        .withChartInflator(new KustomizeChartInflator(dir.resolve("cache"), Duration.ofSeconds(30))).build(dir))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("kustomization.yaml: HelmChartInflationGenerator: no repo specified for pull, no chart"
            + " found at ''")
        .hasMessageContaining("charts/absent");
  }
}
