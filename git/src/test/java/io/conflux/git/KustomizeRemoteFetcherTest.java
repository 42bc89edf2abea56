package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.ResourceList;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kustomize remote bases and resource URLs through {@link KustomizeRemoteFetcher}, against a real smart-HTTP Git
 * server and a real HTTP file server on loopback; kustomize's GitHub URLs reach them through the URL rewrite.
 */
class KustomizeRemoteFetcherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private LocalHttpGitServer git;
    private HttpServer files;
    private String v2;

    @BeforeEach
    void start() throws Exception {
        Path work = tmp.resolve("repos/acme/app");
        try (Git g = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.createDirectories(work.resolve("base"));
            Files.writeString(work.resolve("base/kustomization.yaml"), "resources:\n- cm.yaml\n");
            for (String v : List.of("v1", "v2", "v3")) {
                Files.writeString(work.resolve("base/cm.yaml"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  version: " + v + "\n");
                g.add().addFilepattern(".").call();
                String sha = g.commit().setMessage(v).setAuthor("t", "t@t").setCommitter("t", "t@t").call().name();
                g.tag().setName(v).setAnnotated(true).setMessage(v).call();
                if (v.equals("v2")) {
                    v2 = sha;
                }
            }
        }
        git = LocalHttpGitServer.start(tmp.resolve("repos"), null, null);
        files = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        files.createContext("/", exchange -> {
            byte[] body = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: from-url\n").getBytes(StandardCharsets.UTF_8);
            boolean found = exchange.getRequestURI().getPath().equals("/raw/pod.yaml");
            exchange.sendResponseHeaders(found ? 200 : 404, found ? body.length : -1);
            if (found) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        files.start();
    }

    @AfterEach
    void stop() {
        git.close();
        files.stop(0);
    }

    private KustomizeRemoteFetcher fetcher(long maxBytes) {
        return new KustomizeRemoteFetcher(new GitUrlRewriter(Map.of(
            "https://github.com/", git.url(""),
            "https://raw.example.com/", "http://127.0.0.1:" + files.getAddress().getPort() + "/raw/")),
            TIMEOUT, maxBytes, false);
    }

    private Path overlay(String... resources) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("overlay"));
        StringBuilder k = new StringBuilder("namePrefix: x-\nresources:\n");
        for (String r : resources) {
            k.append("- ").append(r).append('\n');
        }
        Files.writeString(dir.resolve("kustomization.yaml"), k.toString());
        return dir;
    }

    private static String version(ResourceList built, String name) {
        return built.objects().stream()
            .filter(o -> name.equals(((Map<?, ?>) o.get("metadata")).get("name")))
            .map(o -> String.valueOf(((Map<?, ?>) o.get("data")).get("version")))
            .findFirst().orElseThrow();
    }

    @Test
    void buildsGithubStyleBasesAtTagsCommitsAndDefaultBranch() throws Exception {
        // three bases of one repository each give ConfigMap cm: kustomize refuses the id clash, so build them apart
        for (String[] c : new String[][] {{"github.com/acme/app//base?ref=v1", "v1"},
            {"https://github.com/acme/app//base?ref=" + v2 + "&timeout=30", "v2"},
            {"git::https://github.com/acme/app//base?submodules=false", "v3"}}) {
            ResourceList built = Kustomizer.create().withRemoteFetcher(fetcher(10_000_000)).build(overlay(c[0]));
            assertThat(version(built, "x-cm")).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void fetchesHttpFileResources() throws Exception {
        ResourceList built = Kustomizer.create().withRemoteFetcher(fetcher(10_000_000))
            .build(overlay("https://raw.example.com/pod.yaml"));
        assertThat(built.objects()).hasSize(1);
        assertThat(((Map<?, ?>) built.objects().get(0).get("metadata")).get("name")).isEqualTo("x-from-url");
    }

    @Test
    void aMissingFileIsAnHttpErrorNamingTheUrl() throws Exception {
        Path dir = overlay("https://raw.example.com/missing.yaml");
        assertThatThrownBy(() -> Kustomizer.create().withRemoteFetcher(fetcher(10_000_000)).build(dir))
            .isInstanceOf(KustomizeException.class)
            .hasMessageContaining("https://raw.example.com/missing.yaml")
            .hasMessageContaining("status code 404");
    }

    @Test
    void withoutAFetcherRemoteTargetsAreRefusedByName() throws Exception {
        Path dir = overlay("github.com/acme/app//base?ref=v1");
        assertThatThrownBy(() -> Kustomizer.create().build(dir))
            .isInstanceOf(KustomizeException.class)
            .hasMessageContaining("github.com/acme/app//base?ref=v1")
            .hasMessageContaining("does not fetch remote targets");
    }

    @Test
    void theSizeBoundCutsAClone() throws Exception {
        Path dir = overlay("github.com/acme/app//base?ref=v1");
        assertThatThrownBy(() -> Kustomizer.create().withRemoteFetcher(fetcher(200)).build(dir))
            .isInstanceOf(KustomizeException.class)
            .hasMessageContaining("github.com/acme/app//base?ref=v1");
    }

    @Test
    void aMissingRefNamesTheRef() throws Exception {
        Path dir = overlay("github.com/acme/app//base?ref=v9");
        assertThatThrownBy(() -> Kustomizer.create().withRemoteFetcher(fetcher(10_000_000)).build(dir))
            .isInstanceOf(KustomizeException.class)
            .hasMessageContaining("no branch or tag 'v9'");
    }

    @Test
    void localRepositoriesAreRefusedUnlessAllowed() throws Exception {
        Path repo = tmp.resolve("repos/acme/app");
        Path dir = overlay("file://" + repo + "//base?ref=v1");
        assertThatThrownBy(() -> Kustomizer.create().withRemoteFetcher(fetcher(10_000_000)).build(dir))
            .isInstanceOf(KustomizeException.class)
            .hasMessageContaining("local repositories (file://) are refused");
        ResourceList built = Kustomizer.create()
            .withRemoteFetcher(new KustomizeRemoteFetcher(GitUrlRewriter.none(), TIMEOUT, 10_000_000, true)).build(dir);
        assertThat(version(built, "x-cm")).isEqualTo("v1");
    }

    @Test
    void aRemoteBaseMayNotReachOutOfItsClone() throws Exception {
        Path work = tmp.resolve("repos/acme/app");
        try (Git g = Git.open(work.toFile())) {
            Files.createDirectories(work.resolve("escape"));
            Files.writeString(work.resolve("escape/kustomization.yaml"), "resources:\n- " + tmp.resolve("overlay")
                + "\n");
            g.add().addFilepattern(".").call();
            g.commit().setMessage("escape").setAuthor("t", "t@t").setCommitter("t", "t@t").call();
        }
        Path dir = overlay("github.com/acme/app//escape");
        assertThatThrownBy(() -> Kustomizer.create().withRemoteFetcher(fetcher(10_000_000)).build(dir))
            .isInstanceOf(KustomizeException.class);
    }
}
