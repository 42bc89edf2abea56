package io.conflux.helm;

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
 * A Helm chart repository served over HTTP(S), as a Flux {@code HelmRepository} of the default type
 * ({@code source.toolkit.fluxcd.io/v1}, {@code spec.url} pointing at a directory holding {@code index.yaml}).
 *
 * <p>The index is fetched once per instance, on the first {@link #resolve}, and kept in memory until
 * {@link #refresh()}; keep one instance per {@code HelmRepository} and call {@code refresh()} every
 * {@code spec.interval}. Chart archives are cached on disk under {@code cacheDir}, one file per SHA-256.
 * Instances are thread-safe.
 *
 * <p>Credentials ({@code spec.secretRef}'s {@code username}/{@code password}) are sent as HTTP basic auth
 * with the index request, and with chart downloads only when the chart URL is on the same scheme, host and
 * port as the repository (Flux's default, {@code spec.passCredentials: false}).
 *
 * <p>OCI repositories ({@code type: oci}, {@code oci://} URLs) are not served by this class: the embedded
 * Helm of helm-java 0.0.21 renders only local charts and has no registry pull. {@link #http} rejects
 * {@code oci://} URLs with a {@link HelmException} saying so.
 */
public final class ChartRepository {

  private static final String USER_AGENT = "conflux-helm";
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  private final String url;
  private final URI base;
  private final Optional<Credentials> auth;
  private final Duration timeout;
  private final Path cacheDir;
  private final HttpClient client;
  private Map<String, Object> index;

  private ChartRepository(String url, URI base, Optional<Credentials> auth, Duration timeout, Path cacheDir) {
    this.url = url;
    this.base = base;
    this.auth = auth;
    this.timeout = timeout;
    this.cacheDir = cacheDir;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
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
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (url.regionMatches(true, 0, "oci://", 0, 6)) {
      throw new HelmException("Helm repository " + url + " is an OCI registry: OCI charts are not supported "
          + "(the embedded Helm of helm-java 0.0.21 cannot pull from registries); use an HTTP(S) repository");
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
    return new ChartRepository(url, base, auth, timeout, cacheDir);
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
    Map<String, Object> entries = entries();
    Object listed = entries.get(chart);
    if (!(listed instanceof List<?> versions) || versions.isEmpty()) {
      throw new HelmException("chart '" + chart + "' not found in Helm repository " + url);
    }
    boolean latestStable = versionRange == null || versionRange.isBlank() || versionRange.trim().equals("*");
    String wanted = latestStable ? "*" : versionRange.trim();
    if (!latestStable) {
      for (Object v : versions) {
        if (v instanceof Map<?, ?> entry && wanted.equals(entry.get("version"))) {
          return toResolved(chart, entry);
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
    record Candidate(Semver version, String created, Map<?, ?> entry) {
    }
    List<Candidate> matched = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (Object v : versions) {
      if (!(v instanceof Map<?, ?> entry) || !(entry.get("version") instanceof String version)) {
        continue;
      }
      all.add(version);
      Optional<Semver> parsed = VersionMatcher.parseVersion(version);
      if (parsed.isPresent() && matcher.matches(parsed.get())) {
        matched.add(new Candidate(parsed.get(), entry.get("created") instanceof String c ? c : "", entry));
      }
    }
    if (matched.isEmpty()) {
      throw new HelmException("no '" + chart + "' chart with version matching '" + wanted
          + "' found in Helm repository " + url + " (versions: " + summary(all) + ")");
    }
    Candidate best = matched.stream()
        .max(Comparator.<Candidate, Semver>comparing(Candidate::version)
            .thenComparing(c -> createdInstant(c.created())))
        .orElseThrow();
    return toResolved(chart, best.entry());
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
    String digest = entry.get("digest") instanceof String d && !d.isBlank()
        ? d.trim().toLowerCase(Locale.ROOT).replaceFirst("^sha256:", "") : null;
    return new ResolvedChart(chart, version, resolvedUrl, digest);
  }

  /**
   * Downloads a chart archive into the cache, unless the cache already holds it. The file is named by the
   * archive's SHA-256 ({@code <cacheDir>/<sha256>.tgz}); when the index gives a digest, the download is
   * checked against it and a cached file is reused without any request.
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
      URI uri = URI.create(chart.url());
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", USER_AGENT);
      if (sameOrigin(uri)) {
        auth.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
      }
      HttpResponse<InputStream> response = send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream(),
          "failed to download " + label);
      Path tmp = Files.createTempFile(cacheDir, ".download-", ".tgz");
      try {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream in = response.body();
             OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha256)) {
          if (response.statusCode() != 200) {
            throw new HelmException("failed to download " + label + ": " + status(response.statusCode()));
          }
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
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new HelmException("failed to download " + label + ": " + describe(e), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
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
    Object doc;
    try {
      doc = Yaml.loadStrings(response.body());
    } catch (RuntimeException e) {
      throw new HelmException(what + ": index.yaml does not parse: " + e.getMessage(), e);
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
