package io.conflux.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.helm.testing.LocalChartRepository;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartRepositoryTest {

  static final Path PODINFO_CHART = Path.of("../../shared/fixtures/repos/podinfo/charts/podinfo");
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** An index with several versions of one chart, in no particular order, written by hand. */
  static final String INDEX = """
      apiVersion: v1
      entries:
        demo:
        - {version: 1.2.0, urls: [demo-1.2.0.tgz], created: "2024-01-02T00:00:00Z"}
        - {version: 6.5.1, urls: [demo-6.5.1.tgz]}
        - {version: 1.10.0, urls: [demo-1.10.0.tgz]}
        - {version: 1.0.0, urls: [demo-1.0.0.tgz]}
        - {version: 7.0.0-beta.1, urls: [demo-7.0.0-beta.1.tgz]}
        - {version: 6.14.1, urls: [charts/demo-6.14.1.tgz], digest: ABCDEF}
        - {version: 6.0.0, urls: ["https://mirror.example.com/demo-6.0.0.tgz"]}
        - {version: 2.0.0-rc.1, urls: [demo-2.0.0-rc.1.tgz]}
        - {version: 5.2.0, urls: [demo-5.2.0.tgz]}
        - {version: not-semver, urls: [demo-x.tgz]}
        empty: []
      """;

  static LocalChartRepository indexOnly;

  @TempDir
  Path cache;

  @BeforeAll
  static void startServer() {
    indexOnly = LocalChartRepository.builder().index(INDEX).start();
  }

  @AfterAll
  static void stopServer() {
    indexOnly.close();
  }

  private static ChartRepository repo(Path cache) {
    return ChartRepository.http(indexOnly.url(), Optional.empty(), TIMEOUT, cache);
  }

  @Test
  void resolvesTheNewestVersionMatchingARange() {
    // the server is shared by every test of the class: count this instance's fetches from here
    int fetchesBefore = indexOnly.requestCount("index.yaml");
    ChartRepository repo = repo(cache);
    assertThat(repo.resolve("demo", "1.x").version()).isEqualTo("1.10.0");
    assertThat(repo.resolve("demo", ">=6.0.0 <7.0.0").version()).isEqualTo("6.14.1");
    assertThat(repo.resolve("demo", ">= 5.0, < 6.1").version()).isEqualTo("6.0.0");
    assertThat(repo.resolve("demo", "^1.0.0").version()).isEqualTo("1.10.0");
    assertThat(repo.resolve("demo", "~1.2").version()).isEqualTo("1.2.0");
    assertThat(repo.resolve("demo", "5.x || 1.0.x").version()).isEqualTo("5.2.0");
    assertThat(repo.resolve("demo", "1.2.0").version()).isEqualTo("1.2.0");
    // the index is fetched once per instance, not once per resolve
    assertThat(indexOnly.requestCount("index.yaml")).isEqualTo(fetchesBefore + 1);
  }

  @Test
  void emptyOrStarRangeIsTheNewestStableVersion() {
    ChartRepository repo = repo(cache);
    assertThat(repo.resolve("demo", "").version()).isEqualTo("6.14.1");
    assertThat(repo.resolve("demo", null).version()).isEqualTo("6.14.1");
    assertThat(repo.resolve("demo", "*").version()).isEqualTo("6.14.1");
  }

  @Test
  void preReleasesOnlyForRangesThatNameOne() {
    ChartRepository repo = repo(cache);
    assertThat(repo.resolve("demo", ">=1.0.0-alpha").version()).isEqualTo("7.0.0-beta.1");
    assertThat(repo.resolve("demo", ">=2.0.0-0 <3.0.0-0").version()).isEqualTo("2.0.0-rc.1");
    assertThat(repo.resolve("demo", ">=1.0.0-alpha <7.0.0").version()).isEqualTo("6.14.1");
    assertThat(repo.resolve("demo", "7.0.0-beta.1").version()).isEqualTo("7.0.0-beta.1");
  }

  @Test
  void resolvedUrlsAreAbsoluteAndDigestsNormalized() {
    ChartRepository repo = repo(cache);
    ResolvedChart relative = repo.resolve("demo", "6.14.x");
    assertThat(relative).isEqualTo(new ResolvedChart("demo", "6.14.1", indexOnly.url() + "/charts/demo-6.14.1.tgz",
        "abcdef"));
    assertThat(repo.resolve("demo", "6.0.0").url()).isEqualTo("https://mirror.example.com/demo-6.0.0.tgz");
    assertThat(repo.resolve("demo", "1.0.0").digest()).isNull();
  }

  @Test
  void noMatchingVersionNamesChartRangeAndUrl() {
    ChartRepository repo = repo(cache);
    assertThatThrownBy(() -> repo.resolve("demo", "9.x"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("'demo'")
        .hasMessageContaining("'9.x'")
        .hasMessageContaining(indexOnly.url())
        .hasMessageContaining("6.14.1");
    assertThatThrownBy(() -> repo.resolve("missing", "*"))
        .isInstanceOf(HelmException.class)
        .hasMessage("chart 'missing' not found in Helm repository " + indexOnly.url());
    assertThatThrownBy(() -> repo.resolve("empty", "*"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("'empty' not found");
    assertThatThrownBy(() -> repo.resolve("demo", "!!garbage"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("invalid version constraint '!!garbage'")
        .hasMessageContaining(indexOnly.url());
  }

  @Test
  void unreachableRepositoryNamesTheUrl() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/charts";
    ChartRepository repo = ChartRepository.http(url, Optional.empty(), Duration.ofSeconds(2), cache);
    assertThatThrownBy(() -> repo.resolve("demo", "*"))
        .isInstanceOf(HelmException.class)
        .hasMessageStartingWith("failed to fetch index.yaml of Helm repository " + url + ": ")
        .hasMessageContaining("ConnectException");
  }

  @Test
  void missingIndexIsAnHttpError() {
    ChartRepository repo = ChartRepository.http(indexOnly.url() + "/nowhere/", Optional.empty(), TIMEOUT, cache);
    assertThatThrownBy(() -> repo.resolve("demo", "*"))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining(indexOnly.url() + "/nowhere/")
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void ociAndOtherSchemesAreRejectedClearly() {
    assertThatThrownBy(() -> ChartRepository.http("oci://ghcr.io/stefanprodan/charts", Optional.empty(), TIMEOUT,
        cache))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("oci://ghcr.io/stefanprodan/charts")
        .hasMessageContaining("OCI");
    assertThatThrownBy(() -> ChartRepository.http("ftp://example.com/charts", Optional.empty(), TIMEOUT, cache))
        .isInstanceOf(HelmException.class)
        .hasMessageContaining("ftp://example.com/charts");
  }

  @Test
  void basicAuthWorksWithCredentialsAnd401WithoutIsClear() {
    try (LocalChartRepository secured = LocalChartRepository.builder()
        .chart(PODINFO_CHART)
        .basicAuth("flux", "s3cret")
        .start()) {
      ChartRepository withAuth = ChartRepository.http(secured.url(), Optional.of(new Credentials("flux", "s3cret")),
          TIMEOUT, cache);
      ResolvedChart chart = withAuth.resolve("podinfo", "6.x");
      assertThat(chart.version()).isEqualTo("6.14.1");
      Path tgz = withAuth.fetch(chart);
      assertThat(tgz).isRegularFile();

      ChartRepository anonymous = ChartRepository.http(secured.url(), Optional.empty(), TIMEOUT, cache);
      assertThatThrownBy(() -> anonymous.resolve("podinfo", "6.x"))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining(secured.url())
          .hasMessageContaining("HTTP 401 Unauthorized")
          .hasMessageContaining("needs credentials");

      ChartRepository wrong = ChartRepository.http(secured.url(), Optional.of(new Credentials("flux", "nope")),
          TIMEOUT, cache);
      assertThatThrownBy(() -> wrong.resolve("podinfo", "6.x"))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining("HTTP 401 Unauthorized")
          .hasMessageContaining("credentials were rejected");
      assertThat(new Credentials("flux", "s3cret").toString()).doesNotContain("s3cret");
    }
  }

  @Test
  void fetchDownloadsIntoTheCacheByDigestAndReusesIt() throws Exception {
    try (LocalChartRepository local = LocalChartRepository.start(PODINFO_CHART)) {
      ChartRepository repo = ChartRepository.http(local.url(), Optional.empty(), TIMEOUT, cache);
      ResolvedChart chart = repo.resolve("podinfo", "");
      byte[] served = local.archive("podinfo", "6.14.1");
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(served));
      assertThat(chart.digest()).isEqualTo(sha);

      Path first = repo.fetch(chart);
      assertThat(first).isEqualTo(cache.resolve(sha + ".tgz"));
      assertThat(Files.readAllBytes(first)).isEqualTo(served);
      Path second = repo.fetch(chart);
      assertThat(second).isEqualTo(first);
      assertThat(local.requestCount("podinfo-6.14.1.tgz")).isEqualTo(1);
      try (var leftovers = Files.list(cache)) {
        assertThat(leftovers).containsExactly(first);
      }
    }
  }

  @Test
  void fetchRejectsADigestMismatchAndMissingArchive() {
    byte[] bogus = "not the chart".getBytes(StandardCharsets.UTF_8);
    String index = """
        apiVersion: v1
        entries:
          demo:
          - {version: 1.0.0, urls: [demo-1.0.0.tgz], digest: "%s"}
          - {version: 2.0.0, urls: [demo-2.0.0.tgz]}
        """.formatted("0".repeat(64));
    try (LocalChartRepository local = LocalChartRepository.builder().index(index).file("demo-1.0.0.tgz", bogus)
        .start()) {
      ChartRepository repo = ChartRepository.http(local.url(), Optional.empty(), TIMEOUT, cache);
      ResolvedChart v1 = repo.resolve("demo", "1.0.0");
      assertThatThrownBy(() -> repo.fetch(v1))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining(local.url() + "/demo-1.0.0.tgz")
          .hasMessageContaining("digest mismatch");
      ResolvedChart v2 = repo.resolve("demo", "2.x");
      assertThatThrownBy(() -> repo.fetch(v2))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining(local.url() + "/demo-2.0.0.tgz")
          .hasMessageContaining("HTTP 404");
      assertThat(cache.toFile().list()).isEmpty();
    }
  }

  /** An index cannot send the renderer to its own file system: a chart URL must be http or https. */
  @Test
  void aChartUrlOtherThanHttpIsRefusedNamingTheChart() throws Exception {
    Path secret = Files.writeString(cache.resolveSibling(cache.getFileName() + "-secret.tgz"), "private");
    String index = """
        apiVersion: v1
        entries:
          demo:
          - {version: 1.0.0, urls: ["%s"]}
        """.formatted(secret.toUri());
    try (LocalChartRepository local = LocalChartRepository.builder().index(index).start()) {
      ChartRepository repo = ChartRepository.http(local.url(), Optional.empty(), TIMEOUT, cache);
      assertThatThrownBy(() -> repo.resolve("demo", "1.0.0"))
          .isInstanceOf(HelmException.class)
          .hasMessageContaining("chart 'demo' version 1.0.0 has a URL of scheme 'file'");
      assertThatThrownBy(() -> ChartRepository.http(secret.toUri().toString(), Optional.empty(), TIMEOUT, cache))
          .isInstanceOf(HelmException.class).hasMessageContaining("expected http:// or https://");
      assertThat(cache.toFile().list()).isNullOrEmpty();
    } finally {
      Files.deleteIfExists(secret);
    }
  }

  @Test
  void refreshFetchesTheIndexAgain() {
    try (LocalChartRepository local = LocalChartRepository.builder().index(INDEX).start()) {
      ChartRepository repo = ChartRepository.http(local.url(), Optional.empty(), TIMEOUT, cache);
      repo.resolve("demo", "1.x");
      repo.resolve("demo", "6.x");
      assertThat(local.requestCount("index.yaml")).isEqualTo(1);
      repo.refresh();
      repo.resolve("demo", "6.x");
      assertThat(local.requestCount("index.yaml")).isEqualTo(2);
    }
  }
}
