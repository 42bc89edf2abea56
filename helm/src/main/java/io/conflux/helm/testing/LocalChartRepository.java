package io.conflux.helm.testing;

import com.marcnuri.helm.Helm;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * <b>Test and development utility</b>, not for production: a Helm chart repository on {@code 127.0.0.1}
 * served by the JDK's {@link HttpServer}, for tests of this module and end-to-end tests of others.
 *
 * <p>Each chart directory given is packaged with Helm (helm-java's {@code helm package}) into
 * {@code <name>-<version>.tgz}, and an {@code index.yaml} listing them (relative URLs, SHA-256 digests) is
 * served at {@code <url>/index.yaml}, as {@code helm repo index} would write it. Optionally every request
 * needs HTTP basic auth (a {@code 401} with {@code WWW-Authenticate} otherwise), the index can be replaced
 * by a hand-written one, and extra files can be served.
 *
 * <pre>{@code
 * try (LocalChartRepository repo = LocalChartRepository.start(Path.of("charts/podinfo"))) {
 *   ChartRepository charts = ChartRepository.http(repo.url(), Optional.empty(), Duration.ofSeconds(10), cache);
 *   ...
 * }
 * }</pre>
 */
public final class LocalChartRepository implements AutoCloseable {

  private final HttpServer server;
  private final Path workDir;
  private final Map<String, byte[]> files;
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  private final String expectedAuthorization;

  private LocalChartRepository(HttpServer server, Path workDir, Map<String, byte[]> files, String authorization) {
    this.server = server;
    this.workDir = workDir;
    this.files = files;
    this.expectedAuthorization = authorization;
  }

  /**
   * Packages the charts and starts serving them without authentication.
   *
   * @param chartDirs chart directories (each with a {@code Chart.yaml})
   * @return the running repository; {@link #close()} it
   * @throws UncheckedIOException when packaging or binding fails
   */
  public static LocalChartRepository start(Path... chartDirs) {
    Builder builder = builder();
    for (Path dir : chartDirs) {
      builder.chart(dir);
    }
    return builder.start();
  }

  /** @return a builder for a repository with credentials, a custom index or extra files */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link LocalChartRepository}. */
  public static final class Builder {
    private final List<Path> charts = new ArrayList<>();
    private final Map<String, byte[]> extraFiles = new LinkedHashMap<>();
    private String username;
    private String password;
    private String index;
    private javax.net.ssl.SSLContext tls;
    private boolean needClientAuth;

    private Builder() {
    }

    /**
     * Serves HTTPS instead of HTTP.
     *
     * @param serverContext the server's TLS context (its key and certificate; its trust for client certificates)
     * @param needClientAuth whether a client certificate the context trusts is required
     * @return this
     */
    public Builder tls(javax.net.ssl.SSLContext serverContext, boolean needClientAuth) {
      this.tls = Objects.requireNonNull(serverContext, "serverContext");
      this.needClientAuth = needClientAuth;
      return this;
    }

    /**
     * @param chartDir a chart directory to package and list in the index
     * @return this
     */
    public Builder chart(Path chartDir) {
      charts.add(Objects.requireNonNull(chartDir, "chartDir"));
      return this;
    }

    /**
     * Requires HTTP basic auth on every request.
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
     * Serves this text as {@code index.yaml} instead of the generated index.
     *
     * @param indexYaml the index
     * @return this
     */
    public Builder index(String indexYaml) {
      this.index = Objects.requireNonNull(indexYaml, "indexYaml");
      return this;
    }

    /**
     * Serves a file at {@code <url>/<path>}.
     *
     * @param path the path below the repository URL, without a leading slash
     * @param content the bytes
     * @return this
     */
    public Builder file(String path, byte[] content) {
      extraFiles.put(Objects.requireNonNull(path, "path"), content.clone());
      return this;
    }

    /**
     * Packages the charts and starts the server on an ephemeral port of 127.0.0.1.
     *
     * @return the running repository
     * @throws UncheckedIOException when packaging or binding fails
     */
    public LocalChartRepository start() {
      Path workDir = null;
      try {
        workDir = Files.createTempDirectory("conflux-local-chart-repo-");
        Map<String, byte[]> files = new ConcurrentHashMap<>();
        Map<String, List<Map<String, Object>>> entries = new LinkedHashMap<>();
        for (Path chart : charts) {
          Map<String, Object> meta = readChartYaml(chart);
          String name = String.valueOf(meta.get("name"));
          String version = String.valueOf(meta.get("version"));
          new Helm(chart.toAbsolutePath()).packageIt().withDestination(workDir).call();
          String fileName = name + "-" + version + ".tgz";
          byte[] archive = Files.readAllBytes(workDir.resolve(fileName));
          files.put(fileName, archive);
          Map<String, Object> entry = new LinkedHashMap<>(meta);
          entry.put("created", OffsetDateTime.now(ZoneOffset.UTC).toString());
          entry.put("digest", sha256(archive));
          entry.put("urls", List.of(fileName));
          entries.computeIfAbsent(name, k -> new ArrayList<>()).add(entry);
        }
        Map<String, Object> indexDoc = new LinkedHashMap<>();
        indexDoc.put("apiVersion", "v1");
        indexDoc.put("entries", entries);
        indexDoc.put("generated", OffsetDateTime.now(ZoneOffset.UTC).toString());
        String indexText = index != null ? index
            : new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build()).dumpToString(indexDoc);
        files.put("index.yaml", indexText.getBytes(StandardCharsets.UTF_8));
        files.putAll(extraFiles);
        HttpServer server;
        if (tls == null) {
          server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } else {
          com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
          boolean need = needClientAuth;
          https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters params) {
              javax.net.ssl.SSLParameters p = getSSLContext().getDefaultSSLParameters();
              p.setNeedClientAuth(need);
              params.setSSLParameters(p);
            }
          });
          server = https;
        }
        String authorization = username == null ? null : "Basic " + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        LocalChartRepository repo = new LocalChartRepository(server, workDir, files, authorization);
        server.createContext("/", repo::handle);
        server.start();
        return repo;
      } catch (IOException e) {
        deleteTree(workDir);
        throw new UncheckedIOException("cannot start a local chart repository: " + e.getMessage(), e);
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
    map.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Map<?, ?> || v instanceof List<?> ? v
        : String.valueOf(v)));
    return out;
  }

  private static String sha256(byte[] data) {
    try {
      StringBuilder hex = new StringBuilder();
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
      String path = exchange.getRequestURI().getPath().replaceFirst("^/+", "");
      requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      if (expectedAuthorization != null
          && !expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"charts\"");
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      byte[] body = files.get(path);
      if (body == null || !"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(body == null ? 404 : 405, -1);
        return;
      }
      exchange.getResponseHeaders().add("Content-Type",
          path.endsWith(".yaml") ? "application/x-yaml" : "application/gzip");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** @return the repository URL, {@code http://127.0.0.1:<port>} ({@code https} with TLS; no trailing slash) */
  public String url() {
    return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://127.0.0.1:"
        + server.getAddress().getPort();
  }

  /**
   * @param name a chart name
   * @param version its version
   * @return the packaged chart as served
   * @throws IllegalArgumentException when no such chart is served
   */
  public byte[] archive(String name, String version) {
    byte[] archive = files.get(name + "-" + version + ".tgz");
    if (archive == null) {
      throw new IllegalArgumentException("no chart " + name + "-" + version + " in " + url());
    }
    return archive.clone();
  }

  /** @return the served {@code index.yaml} */
  public String indexYaml() {
    return new String(files.get("index.yaml"), StandardCharsets.UTF_8);
  }

  /**
   * @param path a path below the repository URL, e.g. {@code index.yaml}
   * @return how many requests (authorized or not) asked for it
   */
  public int requestCount(String path) {
    AtomicInteger count = requests.get(path.replaceFirst("^/+", ""));
    return count == null ? 0 : count.get();
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
