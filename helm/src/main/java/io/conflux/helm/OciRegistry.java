package io.conflux.helm;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal client of the OCI distribution API for Helm charts stored in a registry (what Helm's
 * {@code helm pull oci://...} does): list tags, read a manifest to find the chart layer
 * ({@code application/vnd.cncf.helm.chart.content.v1.tar+gzip}), download that blob.
 *
 * <p>Authentication follows the Docker/OCI token flow: a {@code 401} with
 * {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...} is answered by fetching a token from the
 * realm (with basic credentials when given, anonymously otherwise) and retrying; a {@code Basic} challenge
 * is answered with the credentials. Redirects (registries send blobs to a CDN) are followed by hand, and the
 * {@code Authorization} header is not carried to another host.
 */
final class OciRegistry {

  static final String CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
  private static final String MANIFEST_TYPES = "application/vnd.oci.image.manifest.v1+json";
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final String scheme;
  private final String host;
  private final Optional<Credentials> auth;
  private final Duration timeout;
  private final HttpClient client;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  OciRegistry(String host, boolean plainHttp, Optional<Credentials> auth, Duration timeout) {
    this(host, plainHttp, auth, timeout, null);
  }

  /** @param sslContext the TLS context, null for the JVM's default */
  OciRegistry(String host, boolean plainHttp, Optional<Credentials> auth, Duration timeout,
      javax.net.ssl.SSLContext sslContext) {
    this.scheme = plainHttp ? "http" : "https";
    this.host = host;
    this.auth = auth;
    this.timeout = timeout;
    HttpClient.Builder http = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (sslContext != null) {
      http.sslContext(sslContext);
    }
    this.client = http.build();
  }

  /** Thrown with an HTTP status that callers turn into a {@link HelmException} with context. */
  static final class RegistryException extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    RegistryException(String message, int status, Throwable cause) {
      super(message, cause);
      this.status = status;
    }
  }

  /** All tags of a repository (following {@code Link: <...>; rel="next"} pagination). */
  List<String> tags(String repository) throws RegistryException {
    List<String> tags = new ArrayList<>();
    String path = "/v2/" + repository + "/tags/list";
    for (int page = 0; path != null && page < 100; page++) {
      HttpResponse<String> response = get(repository, URI.create(scheme + "://" + host + path), "application/json",
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (response.statusCode() != 200) {
        throw new RegistryException("listing tags of " + host + "/" + repository + ": " + status(response), 
            response.statusCode(), null);
      }
      Object doc = Yaml.load(response.body());
      if (doc instanceof Map<?, ?> map && map.get("tags") instanceof List<?> list) {
        list.forEach(t -> tags.add(String.valueOf(t)));
      }
      path = nextLink(response.headers().firstValue("Link").orElse(null));
    }
    return tags;
  }

  private static String nextLink(String link) {
    if (link == null) {
      return null;
    }
    Matcher m = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?").matcher(link);
    return m.find() ? m.group(1) : null;
  }

  /** The digest ({@code sha256:<hex>}) of the chart layer of {@code repository:tag}. */
  String chartLayerDigest(String repository, String tag) throws RegistryException {
    HttpResponse<String> response = get(repository,
        URI.create(scheme + "://" + host + "/v2/" + repository + "/manifests/" + tag), MANIFEST_TYPES,
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new RegistryException("reading manifest of " + host + "/" + repository + ":" + tag + ": "
          + status(response), response.statusCode(), null);
    }
    Object doc = Yaml.load(response.body());
    if (doc instanceof Map<?, ?> manifest && manifest.get("layers") instanceof List<?> layers) {
      for (Object layer : layers) {
        if (layer instanceof Map<?, ?> l && CHART_LAYER.equals(l.get("mediaType"))
            && l.get("digest") instanceof String digest) {
          return digest;
        }
      }
    }
    throw new RegistryException("manifest of " + host + "/" + repository + ":" + tag + " has no Helm chart layer ("
        + CHART_LAYER + ")", 200, null);
  }

  /** Opens the blob {@code digest} of {@code repository}; the caller closes the stream. */
  InputStream blob(String repository, String digest) throws RegistryException {
    HttpResponse<InputStream> response = get(repository,
        URI.create(scheme + "://" + host + "/v2/" + repository + "/blobs/" + digest), "*/*",
        HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      IOException closing = null;
      try {
        response.body().close();
      } catch (IOException e) {
        closing = e;
      }
      throw new RegistryException("downloading blob " + digest + " of " + host + "/" + repository + ": "
          + status(response), response.statusCode(), closing);
    }
    return response.body();
  }

  private static String status(HttpResponse<?> response) {
    return switch (response.statusCode()) {
      case 401 -> "HTTP 401 Unauthorized";
      case 403 -> "HTTP 403 Forbidden";
      case 404 -> "HTTP 404 Not Found";
      default -> "HTTP " + response.statusCode();
    };
  }

  private <T> HttpResponse<T> get(String repository, URI uri, String accept, HttpResponse.BodyHandler<T> handler)
      throws RegistryException {
    String authorization = tokens.get(repository);
    boolean challenged = false;
    URI current = uri;
    for (int hop = 0; hop < 10; hop++) {
      boolean sameHost = current.getHost().equalsIgnoreCase(URI.create(scheme + "://" + host).getHost());
      HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(timeout)
          .header("User-Agent", "conflux-helm").header("Accept", accept).GET();
      if (authorization != null && sameHost) {
        request.header("Authorization", authorization);
      }
      HttpResponse<T> response = send(request.build(), handler, current);
      int code = response.statusCode();
      if (code == 401 && sameHost && !challenged) {
        challenged = true;
        discard(response);
        authorization = authorize(repository,
            response.headers().firstValue("WWW-Authenticate").orElse(""));
        tokens.put(repository, authorization);
        continue;
      }
      if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
        String location = response.headers().firstValue("Location").orElse(null);
        discard(response);
        if (location == null) {
          throw new RegistryException("redirect without Location from " + current, code, null);
        }
        current = current.resolve(location);
        continue;
      }
      return response;
    }
    throw new RegistryException("too many redirects from " + uri, 0, null);
  }

  private static void discard(HttpResponse<?> response) {
    if (response.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }

  /** Answers a challenge: the Authorization header value to retry with. */
  private String authorize(String repository, String challenge) throws RegistryException {
    String lower = challenge.toLowerCase(Locale.ROOT);
    if (lower.startsWith("basic")) {
      if (auth.isEmpty()) {
        throw new RegistryException("registry " + host + " needs credentials (HTTP 401 Unauthorized)", 401, null);
      }
      return auth.get().basicAuthorization();
    }
    if (!lower.startsWith("bearer")) {
      throw new RegistryException("registry " + host + " answered HTTP 401 Unauthorized with an unsupported "
          + "challenge '" + challenge + "'", 401, null);
    }
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(challenge);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      throw new RegistryException("registry " + host + " sent a Bearer challenge without realm", 401, null);
    }
    StringBuilder tokenUrl = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?');
    if (params.containsKey("service")) {
      tokenUrl.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
    }
    tokenUrl.append("scope=").append(URLEncoder.encode(params.getOrDefault("scope",
        "repository:" + repository + ":pull"), StandardCharsets.UTF_8));
    URI tokenUri = URI.create(tokenUrl.toString());
    HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).timeout(timeout)
        .header("User-Agent", "conflux-helm").GET();
    auth.ifPresent(c -> request.header("Authorization", c.basicAuthorization()));
    HttpResponse<String> response = send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
        tokenUri);
    if (response.statusCode() != 200) {
      throw new RegistryException("getting a token from " + realm + " for " + host + "/" + repository + ": "
          + status(response) + (auth.isPresent() ? " (the credentials were rejected)"
          : " (the registry needs credentials: set spec.secretRef with username and password)"),
          response.statusCode(), null);
    }
    Object doc = Yaml.load(response.body());
    Object token = doc instanceof Map<?, ?> map ? (map.get("token") != null ? map.get("token") : map.get("access_token"))
        : null;
    if (token == null) {
      throw new RegistryException("token response of " + realm + " has no token", 200, null);
    }
    return "Bearer " + token;
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI uri)
      throws RegistryException {
    try {
      return client.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new RegistryException("request to " + uri + " timed out after " + timeout.toMillis() + " ms", 0, e);
    } catch (IOException e) {
      String message = e.getMessage() == null && e.getCause() != null ? e.getCause().toString() : e.getMessage();
      throw new RegistryException("request to " + uri + " failed: " + e.getClass().getSimpleName()
          + (message == null ? "" : ": " + message), 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("request to " + uri + " interrupted", 0, e);
    }
  }
}
