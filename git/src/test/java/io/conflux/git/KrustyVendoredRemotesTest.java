package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.RemoteTarget;
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
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated krusty cases whose kustomizations name remote files or repositories ({@code options: remote=vendored},
 * kustomize's {@code conformance/krusty/cases/<case>/remote/http.tsv} and {@code remote/git.tsv}), built through the
 * real {@link KustomizeRemoteFetcher}: the vendored files are served by an HTTP server on loopback, the vendored
 * repository trees become Git repositories (one commit per ref, tagged with it) served by {@link LocalHttpGitServer},
 * and the URLs the kustomizations name (github.com, in https, ssh and scp-like forms) reach them through the URL
 * rewrite, so nothing leaves the machine.
 */
class KrustyVendoredRemotesTest {
    private static final Path CASES = Path.of("../kustomize/conformance/krusty/cases");

    @TempDir
    Path tmp;

    @Test
    void everyVendoredRepositoryCaseClonesThroughTheRealFetcher() throws Exception {
        List<Path> cases = new ArrayList<>();
        try (Stream<Path> s = Files.list(CASES)) {
            s.filter(c -> Files.exists(c.resolve("remote/git.tsv"))).sorted().forEach(cases::add);
        }
        assertThat(cases).as("cases with vendored repositories").isNotEmpty();
        // one server; cases vendoring the same trees share their repositories (made once)
        Map<String, String> madeFor = new HashMap<>();
        try (LocalHttpGitServer git = LocalHttpGitServer.start(tmp, null, null)) {
            for (Path c : cases) {
                String key = vendoredContent(c);
                String base = madeFor.get(key);
                if (base == null) {
                    base = "r" + madeFor.size();
                    Path repos = Files.createDirectories(tmp.resolve(base));
                    for (String line : Files.readAllLines(c.resolve("remote/git.tsv"))) {
                        String[] cols = line.split("\\t");
                        commitTagged(repos.resolve(cols[0].substring(cols[0].indexOf('/') + 1)), c.resolve("remote")
                                .resolve(cols[2]), cols[1]);
                    }
                    madeFor.put(key, base);
                }
                KustomizeRemoteFetcher fetcher = new KustomizeRemoteFetcher(new GitUrlRewriter(Map.of(
                        "https://github.com/", git.url(base + "/"), "git@github.com:", git.url(base + "/"))),
                        Duration.ofSeconds(20), 10_000_000, false);
                String cmd = Files.readString(c.resolve("cmd")).trim();
                Kustomizer k = Kustomizer.create().withRemoteFetcher(fetcher);
                java.util.concurrent.Callable<ResourceList> build = RemoteTarget.looksRemote(cmd)
                        ? () -> k.buildRemote(cmd) : () -> k.build(c.resolve("input").resolve(cmd));
                String name = c.getFileName().toString();
                if (Files.exists(c.resolve("expected-error"))) {
                    assertThatThrownBy(build::call).as(name).isInstanceOf(KustomizeException.class);
                } else if (Files.exists(c.resolve("expected-contains"))) {
                    assertThat(build.call().toYaml()).as(name).contains(Files.readString(c.resolve("expected-contains")));
                } else {
                    assertThat(build.call().objects()).as(name)
                            .isEqualTo(KYaml.parseAll(Files.readString(c.resolve("expected.yaml")), "expected.yaml"));
                }
            }
        }
    }

    /** The rows of a case's {@code git.tsv} with the paths and contents of the trees they name. */
    private static String vendoredContent(Path c) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(c.resolve("remote/git.tsv"))) {
            String[] cols = line.split("\\t");
            b.append(cols[0]).append('\t').append(cols[1]).append('\n');
            Path tree = c.resolve("remote").resolve(cols[2]);
            try (Stream<Path> s = Files.walk(tree)) {
                for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                    b.append(tree.relativize(p)).append('\n').append(Files.readString(p)).append('\0');
                }
            }
        }
        return b.toString();
    }

    /**
     * Commits {@code tree} in the repository at {@code repo} (made when absent; {@code <repo>.git} names it too) and tags
     * the commit {@code ref}.
     */
    private static void commitTagged(Path repo, Path tree, String ref) throws Exception {
        boolean fresh = !Files.exists(repo);
        try (Git g = fresh ? Git.init().setDirectory(repo.toFile()).setInitialBranch("master").call() : Git.open(repo.toFile())) {
            try (Stream<Path> s = Files.walk(tree)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    Path to = repo.resolve(tree.relativize(p).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(p, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            g.add().addFilepattern(".").call();
            g.commit().setMessage(ref).setAuthor("t", "t@t").setCommitter("t", "t@t").call();
            g.tag().setName(ref).setAnnotated(false).call();
        }
        if (fresh) {
            Files.createSymbolicLink(repo.resolveSibling(repo.getFileName() + ".git"), repo.getFileName());
        }
    }

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
