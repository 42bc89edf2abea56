package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.ResourceList;
import io.conflux.kustomize.yaml.KYaml;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The generated krusty cases whose kustomizations name remote files ({@code options: remote=vendored}, kustomize's
 * {@code conformance/krusty/cases/<case>/remote/http.tsv}), built through the real {@link KustomizeRemoteFetcher}: the
 * vendored files are served by an HTTP server on loopback, and the URLs the kustomizations name (github.com) reach it
 * through the URL rewrite, so nothing leaves the machine.
 */
class KrustyVendoredRemotesTest {
    private static final Path CASES = Path.of("../kustomize/conformance/krusty/cases");

    @Test
    void everyVendoredCaseBuildsThroughTheRealFetcher() throws Exception {
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> s = Files.list(CASES)) {
            s.filter(c -> Files.exists(c.resolve("remote/http.tsv"))).sorted().forEach(cases::add);
        }
        assertThat(cases).as("vendored cases").isNotEmpty();
        for (Path c : cases) {
            Map<String, Path> bodies = new HashMap<>();
            for (String line : Files.readAllLines(c.resolve("remote/http.tsv"))) {
                String[] cols = line.split("\t");
                bodies.put(URI.create(cols[0]).getPath(), c.resolve("remote").resolve(cols[1]));
            }
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                Path f = bodies.get(exchange.getRequestURI().getPath());
                byte[] body = f == null ? new byte[0] : Files.readAllBytes(f);
                exchange.sendResponseHeaders(f == null ? 404 : 200, f == null ? -1 : body.length);
                if (f != null) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            try {
                String local = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
                KustomizeRemoteFetcher fetcher = new KustomizeRemoteFetcher(new GitUrlRewriter(Map.of(
                        "https://github.com/", local, "https://raw.githubusercontent.com/", local)),
                        Duration.ofSeconds(20), 10_000_000, false);
                Path dir = c.resolve("input").resolve(Files.readString(c.resolve("cmd")).trim());
                ResourceList built = Kustomizer.create().withRemoteFetcher(fetcher).build(dir);
                assertThat(built.objects()).as(c.getFileName().toString())
                        .isEqualTo(KYaml.parseAll(Files.readString(c.resolve("expected.yaml")), "expected.yaml"));
            } finally {
                server.stop(0);
            }
        }
    }
}
