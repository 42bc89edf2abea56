package io.conflux.git.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A smart-HTTP Git server on loopback for tests (the JDK's HTTP server and JGit's {@link UploadPack}, protocol v0):
 * {@code GET <repo>/info/refs?service=git-upload-pack} and {@code POST <repo>/git-upload-pack} for the repositories
 * under a directory, read-only, optionally behind HTTP basic authentication (401 with a {@code Basic} challenge
 * otherwise). It stands in for GitHub/GitLab over HTTPS without TLS.
 */
public final class LocalHttpGitServer implements AutoCloseable {
    private static final String INFO_REFS = "/info/refs";
    private static final String UPLOAD_PACK = "/git-upload-pack";

    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    private final HttpServer server;
    private final ExecutorService executor;
    private final Path root;
    private final String expectedAuthorization;
    private final List<String> rejected = new CopyOnWriteArrayList<>();

    private LocalHttpGitServer(HttpServer server, ExecutorService executor, Path root, String expectedAuthorization) {
        this.server = server;
        this.executor = executor;
        this.root = root;
        this.expectedAuthorization = expectedAuthorization;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @param reposDir directory whose repositories are served, by path relative to it
     * @param username user name required by basic authentication, null for anonymous access
     * @param password its password
     * @throws IOException when the server cannot bind
     */
    public static LocalHttpGitServer start(Path reposDir, String username, String password) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "local-http-git");
            t.setDaemon(true);
            return t;
        });
        String expected = username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        LocalHttpGitServer server = new LocalHttpGitServer(http, executor, reposDir, expected);
        http.createContext("/", server::handle);
        http.setExecutor(executor);
        http.start();
        return server;
    }

    /** @return {@code http://127.0.0.1:<port>/<path>} */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + path;
    }

    /** @return the Authorization headers refused so far ({@code <none>} for requests without one) */
    public List<String> rejected() {
        return List.copyOf(rejected);
    }

    /**
     * Stops serving, for a test that takes the server away while it still holds it (a Git outage); closing it
     * afterwards does nothing more.
     */
    public void stop() {
        if (stopped.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (expectedAuthorization != null) {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                if (!expectedAuthorization.equals(auth)) {
                    rejected.add(auth == null ? "<none>" : auth);
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
            }
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            if ("GET".equals(exchange.getRequestMethod()) && path.endsWith(INFO_REFS)
                    && "service=git-upload-pack".equals(query)) {
                advertise(exchange, path.substring(0, path.length() - INFO_REFS.length()));
            } else if ("POST".equals(exchange.getRequestMethod()) && path.endsWith(UPLOAD_PACK)) {
                upload(exchange, path.substring(0, path.length() - UPLOAD_PACK.length()));
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private Repository open(HttpExchange exchange, String repoPath) throws IOException {
        Path dir = root.resolve(repoPath.replaceFirst("^/+", "")).normalize();
        if (!dir.startsWith(root)) {
            exchange.sendResponseHeaders(404, -1);
            return null;
        }
        try {
            return LocalRepositories.open(dir);
        } catch (IOException e) {
            exchange.sendResponseHeaders(404, -1);
            return null;
        }
    }

    private void advertise(HttpExchange exchange, String repoPath) throws IOException {
        try (Repository repo = open(exchange, repoPath)) {
            if (repo == null) {
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-advertisement");
            exchange.getResponseHeaders().add("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                PacketLineOut packets = new PacketLineOut(out);
                packets.writeString("# service=git-upload-pack\n");
                packets.end();
                UploadPack up = new UploadPack(repo);
                up.setBiDirectionalPipe(false);
                up.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(packets));
            }
        }
    }

    private void upload(HttpExchange exchange, String repoPath) throws IOException {
        try (Repository repo = open(exchange, repoPath)) {
            if (repo == null) {
                return;
            }
            InputStream in = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-result");
            exchange.getResponseHeaders().add("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                UploadPack up = new UploadPack(repo);
                up.setBiDirectionalPipe(false);
                up.upload(in, out, null);
            }
        }
    }
}
