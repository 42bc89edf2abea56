package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conflux.helm.testing.LocalOciRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciChartRepositoryTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  static LocalOciRegistry anonymous;

  @TempDir
  Path cache;

  @BeforeAll
  static void start() {
    anonymous = LocalOciRegistry.start(ChartRepositoryTest.PODINFO_CHART,
        Path.of("src/test/resources/charts/difftest"));
  }

  @AfterAll
  static void stop() {
    anonymous.close();
  }

  @Test
  void resolvesFetchesAndRendersAChartFromARegistry() throws Exception {
    ChartRepository repo = ChartRepository.oci(anonymous.url(), Optional.empty(), TIMEOUT, cache, true);
    ResolvedChart chart = repo.resolve("podinfo", ">=6.0.0 <7.0.0");
    assertThat(chart.name()).isEqualTo("podinfo");
    assertThat(chart.version()).isEqualTo("6.14.1");
    assertThat(chart.url()).isEqualTo("oci://" + anonymous.host() + "/charts/podinfo:6.14.1");

    Path tgz = repo.fetch(chart);
    assertThat(tgz.getFileName().toString()).isEqualTo(chart.digest() + ".tgz");
    assertThat(Files.readAllBytes(tgz)).isEqualTo(anonymous.archive("podinfo", "6.14.1"));
    assertThat(repo.fetch(chart)).isEqualTo(tgz);
    assertThat(anonymous.requestCount("/v2/charts/podinfo/blobs/")).isEqualTo(1);

    List<Map<String, Object>> objects = new ChartRenderer().template(tgz, "podinfo", "apps", Map.of());
    assertThat(objects).extracting(o -> o.get("kind")).contains("Deployment", "Service");
  }

  @Test
  void missingChartAndVersionAreClearErrors() {
    ChartRepository repo = ChartRepository.oci(anonymous.url(), Optional.empty(), TIMEOUT, cache, true);
    assertThatThrownBy(() -> repo.resolve("nginx", "*"))
        .isInstanceOf(HelmException.class)
        .hasMessage("chart 'nginx' not found in Helm repository " + anonymous.url());
    assertThatThrownBy(() -> repo.resolve("difftest", "1.x"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("'1.x'")
        .hasMessageContaining(anonymous.url())
        .hasMessageContaining("0.3.0");
    assertThat(repo.resolve("difftest", "").version()).isEqualTo("0.3.0");
    assertThatThrownBy(() -> repo.resolve("difftest", "0.4.0"))
        .isInstanceOf(HelmException.class)
        .hasMessage("no 'difftest' chart with version '0.4.0' found in Helm repository " + anonymous.url());
  }

  @Test
  void exactVersionIsReadWithoutListingTags() {
    ChartRepository repo = ChartRepository.oci(anonymous.url(), Optional.empty(), TIMEOUT, cache, true);
    int listed = anonymous.requestCount("/v2/charts/difftest/tags/");
    ResolvedChart chart = repo.resolve("difftest", "0.3.0");
    assertThat(chart.version()).isEqualTo("0.3.0");
    assertThat(chart.digest()).matches("[0-9a-f]{64}");
    assertThat(anonymous.requestCount("/v2/charts/difftest/tags/")).isEqualTo(listed);
  }

  @Test
  void tokenAuthWithCredentialsAndRedirectedBlobs() throws Exception {
    try (LocalOciRegistry secured = LocalOciRegistry.builder()
        .chart(ChartRepositoryTest.PODINFO_CHART)
        .basicAuth("flux", "s3cret")
        .redirectBlobs()
        .start()) {
      ChartRepository repo = ChartRepository.oci(secured.url(), Optional.of(new Credentials("flux", "s3cret")),
          TIMEOUT, cache, true);
      Path tgz = repo.fetch(repo.resolve("podinfo", "6.x"));
      assertThat(Files.readAllBytes(tgz)).isEqualTo(secured.archive("podinfo", "6.14.1"));
      assertThat(secured.requestCount("/cdn/")).isEqualTo(1);
      assertThat(secured.requestCount("/token")).isEqualTo(1);

      ChartRepository noCredentials = ChartRepository.oci(secured.url(), Optional.empty(), TIMEOUT, cache, true);
      assertThatThrownBy(() -> noCredentials.resolve("podinfo", "6.x"))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining(secured.url())
          .hasMessageContaining("HTTP 401 Unauthorized")
          .hasMessageContaining("needs credentials");

      ChartRepository wrong = ChartRepository.oci(secured.url(), Optional.of(new Credentials("flux", "nope")),
          TIMEOUT, cache, true);
      assertThatThrownBy(() -> wrong.resolve("podinfo", "6.x"))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining("credentials were rejected");
    }
  }

  @Test
  void unreachableRegistryNamesTheUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "oci://127.0.0.1:" + port + "/charts";
    ChartRepository repo = ChartRepository.oci(url, Optional.empty(), Duration.ofSeconds(2), cache, true);
    assertThatThrownBy(() -> repo.resolve("podinfo", "*"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining(url)
        .hasMessageContaining("ConnectException");
  }

  @Test
  void urlsAreChecked() {
    assertThatThrownBy(() -> ChartRepository.oci("https://ghcr.io/x", Optional.empty(), TIMEOUT, cache, false))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("https://ghcr.io/x");
    assertThatThrownBy(() -> ChartRepository.oci("oci://ghcr.io/x/podinfo:1.0", Optional.empty(), TIMEOUT, cache,
        false))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("without tag");
    assertThatThrownBy(() -> ChartRepository.http("oci://ghcr.io/x", Optional.empty(), TIMEOUT, cache))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("ChartRepository.oci");
  }

  /** The reference helm pulls the same archive from the local registry: our registry speaks the protocol. */
  @Test
  void referenceHelmPullsTheSameArchive() throws Exception {
    assumeTrue(Files.isExecutable(ReferenceHelmDifferentialTest.HELM), "reference helm not installed");
    Path dest = Files.createDirectories(cache.resolve("pulled"));
    ReferenceHelmDifferentialTest.run(List.of(ReferenceHelmDifferentialTest.HELM.toString(), "pull",
        anonymous.url() + "/podinfo", "--version", "6.14.1", "--plain-http", "--destination", dest.toString()), cache);
    ChartRepository repo = ChartRepository.oci(anonymous.url(), Optional.empty(), TIMEOUT, cache, true);
    Path ours = repo.fetch(repo.resolve("podinfo", "6.14.1"));
    assertThat(Files.readAllBytes(dest.resolve("podinfo-6.14.1.tgz"))).isEqualTo(Files.readAllBytes(ours));
  }
}
