package io.conflux.helm.testing;

import com.marcnuri.helm.Helm;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * <b>Test and development utility</b>, not for production: an OCI registry holding Helm charts on
 * {@code 127.0.0.1} over plain HTTP, served by the JDK's {@link HttpServer}, for tests of this module and
 * end-to-end tests of others (a {@code HelmRepository} with {@code type: oci} and {@code insecure: true}).
 *
 * <p>Each chart directory is packaged with Helm and stored as {@code helm push} would: repository
 * {@code charts/<name>}, tag = version ({@code +} written {@code _}), an OCI image manifest with a
 * {@code application/vnd.cncf.helm.config.v1+json} config and one
 * {@code application/vnd.cncf.helm.chart.content.v1.tar+gzip} layer. It answers the read side of the OCI
 * distribution API ({@code /v2/}, tags list, manifests by tag or digest, blobs; GET and HEAD), so the real
 * {@code helm pull --plain-http} works against it. Optionally it requires the registry token flow: requests
 * get a {@code 401} with a {@code Bearer} challenge, and {@code /token} hands out a token for the basic
 * credentials given to {@link Builder#basicAuth}. Blobs can be served through a redirect, as registries
 * backed by a CDN do.
 */
public final class LocalOciRegistry implements AutoCloseable {

  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final String CONFIG_TYPE = "application/vnd.cncf.helm.config.v1+json";
  private static final String LAYER_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

  private final HttpServer server;
  private final Path workDir;
  /** repository → tag → manifest digest. */
  private final Map<String, Map<String, String>> tags;
  /** digest → content (manifests and blobs). */
  private final Map<String, byte[]> content;
  private final Map<String, byte[]> archives;
  private final String basicAuthorization;
  private final boolean redirectBlobs;
  private final String token = UUID.randomUUID().toString();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  private LocalOciRegistry(HttpServer server, Path workDir, Map<String, Map<String, String>> tags,
      Map<String, byte[]> content, Map<String, byte[]> archives, String basicAuthorization, boolean redirectBlobs) {
    this.server = server;
    this.workDir = workDir;
    this.tags = tags;
    this.content = content;
    this.archives = archives;
    this.basicAuthorization = basicAuthorization;
    this.redirectBlobs = redirectBlobs;
  }

  /**
   * Packages the charts and serves them anonymously.
   *
   * @param chartDirs chart directories
   * @return the running registry; {@link #close()} it
   * @throws UncheckedIOException when packaging or binding fails
   */
  public static LocalOciRegistry start(Path... chartDirs) {
    Builder builder = builder();
    for (Path dir : chartDirs) {
      builder.chart(dir);
    }
    return builder.start();
  }

  /** @return a builder for a registry with credentials or redirected blobs */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link LocalOciRegistry}. */
  public static final class Builder {
    private final List<Path> charts = new ArrayList<>();
    private String username;
    private String password;
    private boolean redirectBlobs;

    private Builder() {
    }

    /**
     * @param chartDir a chart directory to package and push
     * @return this
     */
    public Builder chart(Path chartDir) {
      charts.add(Objects.requireNonNull(chartDir, "chartDir"));
      return this;
    }

    /**
     * Requires the token flow, with tokens only for these basic credentials.
     *
     * @param username the user name
     * @param password the password
     * @return this
     */
    public Builder basicAuth(String username, String password) {
      this.username = Objects.requireNonNull(username, "username");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    /**
     * Answers blob requests with a {@code 307} to {@code /cdn/<digest>}, which needs no authorization.
     *
     * @return this
     */
    public Builder redirectBlobs() {
      this.redirectBlobs = true;
      return this;
    }

    /**
     * Packages the charts and starts the registry on an ephemeral port of 127.0.0.1.
     *
     * @return the running registry
     * @throws UncheckedIOException when packaging or binding fails
     */
    public LocalOciRegistry start() {
      Path workDir = null;
      try {
        workDir = Files.createTempDirectory("conflux-local-oci-registry-");
        Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
        Map<String, byte[]> content = new ConcurrentHashMap<>();
        Map<String, byte[]> archives = new ConcurrentHashMap<>();
        for (Path chart : charts) {
          Map<String, Object> meta = readChartYaml(chart);
          String name = String.valueOf(meta.get("name"));
          String version = String.valueOf(meta.get("version"));
          new Helm(chart.toAbsolutePath()).packageIt().withDestination(workDir).call();
          byte[] archive = Files.readAllBytes(workDir.resolve(name + "-" + version + ".tgz"));
          archives.put(name + "-" + version, archive);
          byte[] config = json(meta).getBytes(StandardCharsets.UTF_8);
          String configDigest = digest(config);
          String layerDigest = digest(archive);
          content.put(configDigest, config);
          content.put(layerDigest, archive);
          String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\","
              + "\"config\":{\"mediaType\":\"" + CONFIG_TYPE + "\",\"digest\":\"" + configDigest + "\",\"size\":"
              + config.length + "},"
              + "\"layers\":[{\"mediaType\":\"" + LAYER_TYPE + "\",\"digest\":\"" + layerDigest + "\",\"size\":"
              + archive.length + "}],"
              + "\"annotations\":{\"org.opencontainers.image.title\":" + quote(name)
              + ",\"org.opencontainers.image.version\":" + quote(version) + "}}";
          byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
          String manifestDigest = digest(manifestBytes);
          content.put(manifestDigest, manifestBytes);
          tags.computeIfAbsent("charts/" + name, k -> new ConcurrentHashMap<>())
              .put(version.replace('+', '_'), manifestDigest);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String authorization = username == null ? null : "Basic " + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        LocalOciRegistry registry = new LocalOciRegistry(server, workDir, tags, content, archives, authorization,
            redirectBlobs);
        server.createContext("/", registry::handle);
        server.start();
        return registry;
      } catch (IOException e) {
        deleteTree(workDir);
        throw new UncheckedIOException("cannot start a local OCI registry: " + e.getMessage(), e);
      }
    }
  }

  private static Map<String, Object> readChartYaml(Path chart) throws IOException {
    Object doc = new Load(LoadSettings.builder().build())
        .loadFromString(Files.readString(chart.resolve("Chart.yaml"), StandardCharsets.UTF_8));
    if (!(doc instanceof Map<?, ?> map) || map.get("name") == null || map.get("version") == null) {
      throw new IOException(chart.resolve("Chart.yaml") + " has no name or version");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      if (!(v instanceof Map<?, ?>) && !(v instanceof List<?>)) {
        out.put(String.valueOf(k), String.valueOf(v));
      }
    });
    return out;
  }

  private static String json(Map<String, Object> flat) {
    return flat.entrySet().stream().map(e -> quote(e.getKey()) + ":" + quote(String.valueOf(e.getValue())))
        .collect(Collectors.joining(",", "{", "}"));
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }

  private static String digest(byte[] data) {
    try {
      StringBuilder hex = new StringBuilder("sha256:");
      for (byte b : MessageDigest.getInstance("SHA-256").digest(data)) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      if (!head && !"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (path.equals("/token")) {
        token(exchange);
        return;
      }
      if (path.startsWith("/cdn/")) {
        send(exchange, head, 200, "application/octet-stream", content.get(path.substring("/cdn/".length())), null);
        return;
      }
      if (!path.startsWith("/v2/")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String rest = path.substring("/v2/".length());
      String repository = repositoryOf(rest);
      if (basicAuthorization != null
          && !("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\","
            + "service=\"conflux-local-registry\""
            + (repository == null ? "" : ",scope=\"repository:" + repository + ":pull\""));
        send(exchange, head, 401, "application/json",
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8), null);
        return;
      }
      if (rest.isEmpty()) {
        send(exchange, head, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8), null);
        return;
      }
      if (repository == null || !tags.containsKey(repository)) {
        send(exchange, head, 404, "application/json",
            "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8), null);
        return;
      }
      String op = rest.substring(repository.length() + 1);
      if (op.equals("tags/list")) {
        String list = tags.get(repository).keySet().stream().sorted().map(LocalOciRegistry::quote)
            .collect(Collectors.joining(",", "[", "]"));
        send(exchange, head, 200, "application/json",
            ("{\"name\":" + quote(repository) + ",\"tags\":" + list + "}").getBytes(StandardCharsets.UTF_8), null);
      } else if (op.startsWith("manifests/")) {
        String reference = op.substring("manifests/".length());
        String digest = reference.startsWith("sha256:") ? reference : tags.get(repository).get(reference);
        byte[] manifest = digest == null ? null : content.get(digest);
        send(exchange, head, manifest == null ? 404 : 200, MANIFEST_TYPE, manifest, digest);
      } else if (op.startsWith("blobs/")) {
        String digest = op.substring("blobs/".length());
        if (redirectBlobs && content.containsKey(digest)) {
          exchange.getResponseHeaders().add("Location", "/cdn/" + digest);
          exchange.sendResponseHeaders(307, -1);
          return;
        }
        send(exchange, head, content.containsKey(digest) ? 200 : 404, "application/octet-stream",
            content.get(digest), digest);
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    }
  }

  /** {@code charts/<name>} from {@code charts/<name>/<operation>...}, or null. */
  private String repositoryOf(String rest) {
    for (String op : List.of("/tags/", "/manifests/", "/blobs/")) {
      int at = rest.indexOf(op);
      if (at > 0) {
        return rest.substring(0, at);
      }
    }
    return null;
  }

  private void token(HttpExchange exchange) throws IOException {
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    if (basicAuthorization != null && !basicAuthorization.equals(given)) {
      exchange.sendResponseHeaders(401, -1);
      return;
    }
    String query = exchange.getRequestURI().getRawQuery();
    String scope = query == null ? "" : Stream.of(query.split("&")).filter(p -> p.startsWith("scope="))
        .map(p -> URLDecoder.decode(p.substring(6), StandardCharsets.UTF_8)).findFirst().orElse("");
    if (!scope.isEmpty() && !scope.matches("repository:[a-z0-9._/-]+:pull(,push)?")) {
      exchange.sendResponseHeaders(400, -1);
      return;
    }
    send(exchange, false, 200, "application/json",
        ("{\"token\":" + quote(token) + ",\"access_token\":" + quote(token) + "}").getBytes(StandardCharsets.UTF_8),
        null);
  }

  private static void send(HttpExchange exchange, boolean head, int status, String type, byte[] body, String digest)
      throws IOException {
    if (body == null) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    exchange.getResponseHeaders().add("Content-Type", type);
    if (digest != null) {
      exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
    }
    if (head) {
      exchange.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Config media type of a Flux artifact ({@code flux push artifact}). */
  public static final String FLUX_CONFIG_TYPE = "application/vnd.cncf.flux.config.v1+json";
  /** Content layer media type of a Flux artifact ({@code flux push artifact}). */
  public static final String FLUX_CONTENT_TYPE = "application/vnd.cncf.flux.content.v1.tar+gzip";

  /**
   * Pushes an artifact as {@code flux push artifact} does: an OCI image manifest with an empty
   * {@code application/vnd.cncf.flux.config.v1+json} config and one
   * {@code application/vnd.cncf.flux.content.v1.tar+gzip} layer, annotated; tagging {@code repository:tag} (a tag
   * pushed again moves to the new manifest). Served by {@code GET/HEAD /v2/<repository>/...}.
   *
   * @param repository  e.g. {@code manifests/app}
   * @param tag         e.g. {@code latest} or {@code 1.0.0}
   * @param layer       the layer's content, a tar+gzip of the artifact's files
   * @param annotations manifest annotations, e.g. {@code org.opencontainers.image.source}
   * @return the manifest's digest, {@code sha256:<hex>}
   */
  public String pushArtifact(String repository, String tag, byte[] layer, Map<String, String> annotations) {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String configDigest = digest(config);
    String layerDigest = digest(layer);
    content.put(configDigest, config);
    content.put(layerDigest, layer.clone());
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\","
        + "\"config\":{\"mediaType\":\"" + FLUX_CONFIG_TYPE + "\",\"digest\":\"" + configDigest + "\",\"size\":"
        + config.length + "},"
        + "\"layers\":[{\"mediaType\":\"" + FLUX_CONTENT_TYPE + "\",\"digest\":\"" + layerDigest + "\",\"size\":"
        + layer.length + "}],"
        + "\"annotations\":" + json(new LinkedHashMap<>(annotations)) + "}";
    byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
    String manifestDigest = digest(manifestBytes);
    content.put(manifestDigest, manifestBytes);
    tags.computeIfAbsent(repository, k -> new ConcurrentHashMap<>()).put(tag, manifestDigest);
    return manifestDigest;
  }

  /** @return {@code oci://127.0.0.1:<port>/charts}, the URL of a {@code HelmRepository} of type oci */
  public String url() {
    return "oci://" + host() + "/charts";
  }

  /** @return {@code 127.0.0.1:<port>} */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * @param name a chart name
   * @param version its version
   * @return the packaged chart as stored in the registry
   * @throws IllegalArgumentException when no such chart is stored
   */
  public byte[] archive(String name, String version) {
    byte[] archive = archives.get(name + "-" + version);
    if (archive == null) {
      throw new IllegalArgumentException("no chart " + name + ":" + version + " in " + url());
    }
    return archive.clone();
  }

  /**
   * @param prefix the start of request paths, e.g. {@code /cdn/} or {@code /v2/charts/podinfo/blobs/}
   * @return how many requests had such a path
   */
  public int requestCount(String prefix) {
    return requests.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
        .mapToInt(e -> e.getValue().get()).sum();
  }

  /** Stops the server and deletes the packaged charts. */
  @Override
  public void close() {
    server.stop(0);
    deleteTree(workDir);
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
