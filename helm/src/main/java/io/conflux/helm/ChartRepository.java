package io.conflux.helm;

import io.conflux.kustomize.yaml.YamlBounds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.semver4j.Semver;

/**
 * A Helm chart repository as a Flux {@code HelmRepository} ({@code source.toolkit.fluxcd.io/v1}) names it:
 * either served over HTTP(S) ({@link #http}: {@code spec.url} is a directory holding {@code index.yaml}) or
 * stored in an OCI registry ({@link #oci}: {@code spec.type: oci}, {@code oci://} URL).
 *
 * <p>{@link #resolve} picks a chart version for a {@code HelmRelease}'s {@code chart.spec.version}, and
 * {@link #fetch} downloads that version's archive, ready for {@link ChartRenderer#template}.
 *
 * <p>HTTP: the index is fetched once per instance, on the first {@link #resolve}, and kept in memory until
 * {@link #refresh()}; keep one instance per {@code HelmRepository} and call {@code refresh()} every
 * {@code spec.interval}. OCI: tags are listed on every {@code resolve}. Chart archives are cached on disk
 * under {@code cacheDir}, one file per SHA-256, and a cached archive is reused without a request. Instances
 * are thread-safe.
 *
 * <p>Credentials ({@code spec.secretRef}'s {@code username}/{@code password}): for HTTP they are sent as
 * basic auth with the index request, and with chart downloads only when the chart URL is on the same
 * scheme, host and port as the repository (Flux's default, {@code spec.passCredentials: false}); for OCI
 * they are exchanged for a registry token.
 */
public final class ChartRepository {

  private static final String USER_AGENT = "conflux-helm";
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern EXACT_VERSION = Pattern.compile(
      "v?\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

  private final String url;
  private final URI base;
  private final Optional<Credentials> auth;
  private final Duration timeout;
  private final Path cacheDir;
  private final HttpClient client;
  private final boolean passCredentials;
  /** For an OCI repository: the registry client and the repository path prefix (e.g. {@code stefanprodan/charts}). */
  private final OciRegistry oci;
  private final String ociHost;
  private final String ociPrefix;
  private Map<String, Object> index;
  private String indexRevision;

  private ChartRepository(String url, URI base, Optional<Credentials> auth, Duration timeout, Path cacheDir,
      OciRegistry oci, String ociHost, String ociPrefix, RepositoryTransport transport) {
    this.url = url;
    this.base = base;
    this.auth = auth;
    this.timeout = timeout;
    this.cacheDir = cacheDir;
    HttpClient.Builder http = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NORMAL);
    if (transport.sslContext() != null) {
      http.sslContext(transport.sslContext());
    }
    this.client = http.build();
    this.passCredentials = transport.passCredentials();
    this.oci = oci;
    this.ociHost = ociHost;
    this.ociPrefix = ociPrefix;
  }

  /**
   * A repository at an {@code http://} or {@code https://} URL. Does no I/O.
   *
   * @param url the repository URL ({@code spec.url}); {@code index.yaml} is read from {@code <url>/index.yaml}
   * @param auth basic-auth credentials, or empty
   * @param timeout the limit for connecting and for each whole request ({@code spec.timeout}, Flux default 60s)
   * @param cacheDir where chart archives are stored; created when missing
   * @return the repository
   * @throws HelmException when the URL is not HTTP(S) (an {@code oci://} URL gets its own message)
   */
  public static ChartRepository http(String url, Optional<Credentials> auth, Duration timeout, Path cacheDir) {
    return http(url, auth, timeout, cacheDir, RepositoryTransport.DEFAULT);
  }

  /**
   * As {@link #http(String, Optional, Duration, Path)}, reached with {@code transport}: its TLS context, and the
   * credentials sent with chart downloads from other hosts too when {@code passCredentials}.
   *
   * @param transport TLS and credential passing ({@code plainHttp} is for OCI registries and ignored here)
   * @return the repository
   * @throws HelmException as {@link #http(String, Optional, Duration, Path)}
   */
  public static ChartRepository http(String url, Optional<Credentials> auth, Duration timeout, Path cacheDir,
      RepositoryTransport transport) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (url.regionMatches(true, 0, "oci://", 0, 6)) {
      throw new HelmException("Helm repository " + url + " is an OCI registry (type: oci): use "
          + "ChartRepository.oci, not ChartRepository.http");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new HelmException("invalid Helm repository URL " + url + ": " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new HelmException("invalid Helm repository URL " + url + ": expected http:// or https://");
    }
    // base for resolving relative chart URLs: the repository URL with a trailing slash (Helm's ResolveReferenceURL)
    URI base = uri.getRawPath() == null || uri.getRawPath().endsWith("/")
        ? uri
        : URI.create(uri.toString().replaceFirst("([^?#]*)(.*)", "$1/$2"));
    return new ChartRepository(url, base, auth, timeout, cacheDir, null, null, null, transport);
  }

  /**
   * A repository in an OCI registry, as a Flux {@code HelmRepository} with {@code spec.type: oci}: chart
   * {@code <name>} is the registry repository {@code <url>/<name>}, its versions are the tags (with Helm's
   * {@code _} for {@code +}), and the chart is the manifest's
   * {@code application/vnd.cncf.helm.chart.content.v1.tar+gzip} layer. Pulled over the OCI distribution API
   * by this library (helm-java 0.0.21 has no pull), with the registry token flow (anonymous, or basic
   * credentials exchanged for a token). Does no I/O.
   *
   * @param url {@code oci://<host>[:port]/<path>}, e.g. {@code oci://ghcr.io/stefanprodan/charts}
   * @param auth registry credentials ({@code spec.secretRef} username/password), or empty
   * @param timeout the limit for connecting and for each whole request
   * @param cacheDir where chart archives are stored; created when missing
   * @param plainHttp talk HTTP instead of HTTPS to the registry (Flux's {@code spec.insecure: true})
   * @return the repository
   * @throws HelmException when the URL is not an {@code oci://} URL with a host and a path
   */
  public static ChartRepository oci(String url, Optional<Credentials> auth, Duration timeout, Path cacheDir,
      boolean plainHttp) {
    return oci(url, auth, timeout, cacheDir, new RepositoryTransport(null, false, plainHttp));
  }

  /**
   * As {@link #oci(String, Optional, Duration, Path, boolean)}, reached with {@code transport}: its TLS context and
   * {@code plainHttp} ({@code passCredentials} does not apply: a registry's blobs come with its own tokens).
   *
   * @param transport TLS and plain HTTP
   * @return the repository
   * @throws HelmException as {@link #oci(String, Optional, Duration, Path, boolean)}
   */
  public static ChartRepository oci(String url, Optional<Credentials> auth, Duration timeout, Path cacheDir,
      RepositoryTransport transport) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (!url.regionMatches(true, 0, "oci://", 0, 6)) {
      throw new HelmException("invalid OCI Helm repository URL " + url + ": expected oci://<host>/<path>");
    }
    String rest = url.substring(6).replaceFirst("/+$", "");
    int slash = rest.indexOf('/');
    String host = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (host.isEmpty() || !prefix.equals(prefix.toLowerCase(Locale.ROOT)) || prefix.contains(":")
        || prefix.contains("@")) {
      throw new HelmException("invalid OCI Helm repository URL " + url
          + ": expected oci://<host>/<lower-case path> without tag or digest");
    }
    return new ChartRepository(url, null, auth, timeout, cacheDir,
        new OciRegistry(host, transport.plainHttp(), auth, timeout, transport.sslContext()), host, prefix, transport);
  }

  /** @return the repository URL as given */
  public String url() {
    return url;
  }

  /** Forgets the cached index: the next {@link #resolve} fetches {@code index.yaml} again. */
  public synchronized void refresh() {
    index = null;
  }

  /**
   * Picks the newest version of a chart that matches a version constraint, as Flux's source-controller
   * does for a {@code HelmChart} ({@code chart.spec.version} of a {@code HelmRelease}): an exact version
   * string wins; otherwise the highest semantic version satisfying the constraint, ties broken by the
   * newest {@code created} time. Pre-releases only match constraints that name a pre-release
   * (see Masterminds/semver).
   *
   * @param chart the chart name ({@code chart.spec.chart})
   * @param versionRange a semver constraint such as {@code 1.x}, {@code >=1.0.0 <2.0.0}, {@code ^6.2}; null,
   *     empty or {@code *} for the newest stable version
   * @return the chosen version
   * @throws HelmException naming the repository URL when the index cannot be fetched or parsed, the chart
   *     is not in it, the constraint does not parse, or no version matches
   */
  public ResolvedChart resolve(String chart, String versionRange) {
    Objects.requireNonNull(chart, "chart");
    if (oci != null) {
      return resolveOci(chart, versionRange);
    }
    Map<String, Object> entries = entries();
    Object listed = entries.get(chart);
    if (!(listed instanceof List<?> versions) || versions.isEmpty()) {
      throw new HelmException("chart '" + chart + "' not found in Helm repository " + url);
    }
    List<Candidate> candidates = new ArrayList<>();
    for (Object v : versions) {
      if (v instanceof Map<?, ?> entry && entry.get("version") instanceof String version) {
        candidates.add(new Candidate(version, entry.get("created") instanceof String c ? c : "", entry));
      }
    }
    return toResolved(chart, (Map<?, ?>) choose(chart, versionRange, candidates).payload());
  }

  /** A version on offer: its string, its creation time (RFC 3339, may be empty) and what it came from. */
  private record Candidate(String version, String created, Object payload) {
  }

  /** Flux's choice among versions: exact string first, else the highest semver match, newest on ties. */
  private Candidate choose(String chart, String versionRange, List<Candidate> candidates) {
    boolean latestStable = versionRange == null || versionRange.isBlank() || versionRange.trim().equals("*");
    String wanted = latestStable ? "*" : versionRange.trim();
    if (!latestStable) {
      for (Candidate c : candidates) {
        if (wanted.equals(c.version())) {
          return c;
        }
      }
    }
    VersionMatcher matcher;
    try {
      matcher = VersionMatcher.of(wanted);
    } catch (IllegalArgumentException e) {
      throw new HelmException("invalid version constraint '" + wanted + "' for chart '" + chart
          + "' of Helm repository " + url + ": " + e.getMessage(), e);
    }
    record Match(Semver version, Candidate candidate) {
    }
    List<Match> matched = new ArrayList<>();
    for (Candidate c : candidates) {
      Optional<Semver> parsed = VersionMatcher.parseVersion(c.version());
      if (parsed.isPresent() && matcher.matches(parsed.get())) {
        matched.add(new Match(parsed.get(), c));
      }
    }
    if (matched.isEmpty()) {
      throw new HelmException("no '" + chart + "' chart with version matching '" + wanted
          + "' found in Helm repository " + url + " (versions: "
          + summary(candidates.stream().map(Candidate::version).toList()) + ")");
    }
    return matched.stream()
        .max(Comparator.<Match, Semver>comparing(Match::version)
            .thenComparing(m -> createdInstant(m.candidate().created())))
        .orElseThrow()
        .candidate();
  }

  private String ociRepository(String chart) {
    return ociPrefix.isEmpty() ? chart : ociPrefix + "/" + chart;
  }

  private ResolvedChart resolveOci(String chart, String versionRange) {
    String repository = ociRepository(chart);
    String exact = versionRange == null ? "" : versionRange.trim();
    if (EXACT_VERSION.matcher(exact).matches()) {
      // an exact version needs no tag listing (which a registry may not allow), as with Flux
      String tag = exact.replace('+', '_');
      try {
        return new ResolvedChart(chart, exact, "oci://" + ociHost + "/" + repository + ":" + tag,
            oci.chartLayerDigest(repository, tag).toLowerCase(Locale.ROOT).replaceFirst("^sha256:", ""));
      } catch (OciRegistry.RegistryException e) {
        if (e.status == 404) {
          throw new HelmException("no '" + chart + "' chart with version '" + exact + "' found in Helm repository "
              + url, e);
        }
        throw new HelmException("failed to read chart '" + chart + "' version " + exact + " from Helm repository "
            + url + ": " + e.getMessage(), e);
      }
    }
    List<String> tags;
    try {
      tags = oci.tags(repository);
    } catch (OciRegistry.RegistryException e) {
      if (e.status == 404) {
        throw new HelmException("chart '" + chart + "' not found in Helm repository " + url, e);
      }
      throw new HelmException("failed to list the versions of chart '" + chart + "' in Helm repository " + url
          + ": " + e.getMessage(), e);
    }
    if (tags.isEmpty()) {
      throw new HelmException("chart '" + chart + "' not found in Helm repository " + url);
    }
    List<Candidate> candidates = new ArrayList<>();
    for (String tag : tags) {
      // Helm stores version 1.0.0+build as tag 1.0.0_build (a tag cannot hold '+')
      candidates.add(new Candidate(tag.replace('_', '+'), "", tag));
    }
    Candidate chosen = choose(chart, versionRange, candidates);
    String tag = (String) chosen.payload();
    String digest;
    try {
      digest = oci.chartLayerDigest(repository, tag);
    } catch (OciRegistry.RegistryException e) {
      throw new HelmException("failed to read chart '" + chart + "' version " + chosen.version()
          + " from Helm repository " + url + ": " + e.getMessage(), e);
    }
    return new ResolvedChart(chart, chosen.version(), "oci://" + ociHost + "/" + repository + ":" + tag,
        digest.toLowerCase(Locale.ROOT).replaceFirst("^sha256:", ""));
  }

  private static OffsetDateTime createdInstant(String created) {
    try {
      return OffsetDateTime.parse(created);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.MIN;
    }
  }

  private static String summary(List<String> versions) {
    return versions.size() <= 10 ? String.join(", ", versions)
        : String.join(", ", versions.subList(0, 10)) + ", … " + (versions.size() - 10) + " more";
  }

  private ResolvedChart toResolved(String chart, Map<?, ?> entry) {
    String version = String.valueOf(entry.get("version"));
    if (!(entry.get("urls") instanceof List<?> urls) || urls.isEmpty() || !(urls.get(0) instanceof String ref)) {
      throw new HelmException("chart '" + chart + "' version " + version + " has no URL in the index of Helm "
          + "repository " + url);
    }
    String resolvedUrl;
    try {
      resolvedUrl = base.resolve(new URI(ref)).toString();
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new HelmException("chart '" + chart + "' version " + version + " has an invalid URL '" + ref
          + "' in the index of Helm repository " + url, e);
    }
    String scheme = URI.create(resolvedUrl).getScheme();
    if (scheme == null || !scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      // an index may not send the renderer to its own file system (file:) or anywhere but HTTP(S)
      throw new HelmException("chart '" + chart + "' version " + version + " has a URL of scheme '" + scheme
          + "' in the index of Helm repository " + url + "; only http and https chart URLs are fetched");
    }
    String digest = entry.get("digest") instanceof String d && !d.isBlank()
        ? d.trim().toLowerCase(Locale.ROOT).replaceFirst("^sha256:", "") : null;
    return new ResolvedChart(chart, version, resolvedUrl, digest);
  }

  /**
   * Downloads a chart archive into the cache, unless the cache already holds it. The file is named by the
   * archive's SHA-256 ({@code <cacheDir>/<sha256>.tgz}); when the chart has a digest (always for OCI), the
   * download is checked against it and a cached file is reused without any request.
   *
   * @param chart a chart from {@link #resolve}
   * @return the path of the {@code .tgz}
   * @throws HelmException naming the chart URL when the download fails or the digest does not match
   */
  public Path fetch(ResolvedChart chart) {
    Objects.requireNonNull(chart, "chart");
    String label = "chart '" + chart.name() + "' version " + chart.version() + " from " + chart.url();
    try {
      Files.createDirectories(cacheDir);
      if (chart.digest() != null && SHA256_HEX.matcher(chart.digest()).matches()) {
        Path cached = cacheDir.resolve(chart.digest() + ".tgz");
        if (Files.isRegularFile(cached)) {
          return cached;
        }
      }
      if (chart.url().startsWith("oci://")) {
        return fetchOci(chart, label);
      }
      URI uri = URI.create(chart.url());
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", USER_AGENT);
      if (passCredentials || sameOrigin(uri)) {
        auth.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
      }
      HttpResponse<InputStream> response = send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream(),
          "failed to download " + label);
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw new HelmException("failed to download " + label + ": " + status(response.statusCode()));
        }
        return store(in, chart, label);
      }
    } catch (IOException e) {
      throw new HelmException("failed to download " + label + ": " + describe(e), e);
    }
  }

  private Path fetchOci(ResolvedChart chart, String label) throws IOException {
    if (oci == null) {
      throw new HelmException("failed to download " + label + ": Helm repository " + url + " is not an OCI one");
    }
    if (chart.digest() == null || !SHA256_HEX.matcher(chart.digest()).matches()) {
      throw new HelmException("failed to download " + label + ": no sha256 digest to pull");
    }
    String ref = chart.url().substring(("oci://" + ociHost + "/").length());
    String repository = ref.substring(0, ref.lastIndexOf(':'));
    try (InputStream in = oci.blob(repository, "sha256:" + chart.digest())) {
      return store(in, chart, label);
    } catch (OciRegistry.RegistryException e) {
      throw new HelmException("failed to download " + label + ": " + e.getMessage(), e);
    }
  }

  /** Streams an archive into the cache, checking it against the chart's digest when it has one. */
  private Path store(InputStream in, ResolvedChart chart, String label) throws IOException {
    Path tmp = Files.createTempFile(cacheDir, ".download-", ".tgz");
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha256)) {
        in.transferTo(out);
      }
      String actual = HexFormat.of().formatHex(sha256.digest());
      if (chart.digest() != null && !chart.digest().equals(actual)) {
        throw new HelmException("failed to download " + label + ": digest mismatch, index says sha256:"
            + chart.digest() + " but the archive is sha256:" + actual);
      }
      Path target = cacheDir.resolve(actual + ".tgz");
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private boolean sameOrigin(URI uri) {
    return base.getScheme().equalsIgnoreCase(uri.getScheme())
        && base.getHost().equalsIgnoreCase(String.valueOf(uri.getHost()))
        && port(base) == port(uri);
  }

  private static int port(URI uri) {
    if (uri.getPort() != -1) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private synchronized Map<String, Object> entries() {
    if (index == null) {
      index = loadIndex();
    }
    return index;
  }

  /**
   * The revision of the repository's index as Flux's source-controller reports it for a HelmRepository's artifact:
   * {@code sha256:<hex>} of {@code index.yaml} as served. Fetches the index unless it is cached.
   *
   * @return {@code sha256:<64 hex>}
   * @throws HelmException naming the URL when the index cannot be fetched or parsed, or for an OCI repository
   *     (which has no index)
   */
  public synchronized String indexRevision() {
    if (oci != null) {
      throw new HelmException("OCI Helm repository " + url + " has no index");
    }
    entries();
    return indexRevision;
  }

  private Map<String, Object> loadIndex() {
    String indexUrl = url.replaceFirst("/+$", "") + "/index.yaml";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(indexUrl))
        .timeout(timeout)
        .header("User-Agent", USER_AGENT);
    auth.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
    String what = "failed to fetch index.yaml of Helm repository " + url;
    HttpResponse<String> response = send(request.GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), what);
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new HelmException(what + ": " + status(response.statusCode())
          + (auth.isPresent() ? " (the credentials were rejected)"
              : " (the repository needs credentials: set spec.secretRef with username and password)"));
    }
    if (response.statusCode() != 200) {
      throw new HelmException(what + ": " + status(response.statusCode()));
    }
    try {
      indexRevision = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(response.body().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    Object doc;
    try {
      doc = Yaml.loadStrings(response.body(), YamlBounds.REPOSITORY_INDEX);
    } catch (RuntimeException e) {
      throw new HelmException(what + ": index.yaml does not parse: " + Yaml.problem(e), e);
    }
    if (!(doc instanceof Map<?, ?> map) || !(map.get("entries") instanceof Map<?, ?> entries)) {
      if (doc instanceof Map<?, ?> map && map.containsKey("apiVersion") && map.get("entries") == null) {
        return Map.of();
      }
      throw new HelmException(what + ": index.yaml has no 'entries' map");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) entries;
    return result;
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
    try {
      return client.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new HelmException(what + ": timed out after " + timeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new HelmException(what + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HelmException(what + ": interrupted", e);
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    Throwable cause = e.getCause();
    if ((message == null || message.isBlank()) && cause != null) {
      message = cause.toString();
    }
    return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }

  private static String status(int code) {
    return switch (code) {
      case 401 -> "HTTP 401 Unauthorized";
      case 403 -> "HTTP 403 Forbidden";
      case 404 -> "HTTP 404 Not Found";
      default -> "HTTP " + code;
    };
  }

  @Override
  public String toString() {
    return "ChartRepository[" + url + (auth.isPresent() ? ", with credentials" : "") + "]";
  }
}
