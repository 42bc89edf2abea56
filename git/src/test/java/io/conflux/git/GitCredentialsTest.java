package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an HTTPS Git server sees of {@link GitCredentials} during {@link RemoteRefs#list}: an HTTP server that records
 * the Authorization headers, challenges anonymous requests with Basic, and is not a Git server (so ls-remote fails). */
class GitCredentialsTest {
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "<none>" : auth);
            if (auth == null) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/infra.git";
    }

    @Test
    void basicCredentialsAnswerTheChallenge() {
        GitCredentials basic = GitCredentials.fromSecretData(Map.of(
                "username", "git".getBytes(StandardCharsets.UTF_8), "password", "s3cret\n".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> RemoteRefs.list(url(), Duration.ofSeconds(10), basic)).isInstanceOf(GitException.class);
        String expected = "Basic " + Base64.getEncoder().encodeToString("git:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(authorizations).contains(expected);
    }

    @Test
    void bearerTokenIsSentAsHeader() {
        GitCredentials bearer = GitCredentials.fromSecretData(Map.of("bearerToken", "tok-123".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> RemoteRefs.list(url(), Duration.ofSeconds(10), bearer)).isInstanceOf(GitException.class);
        assertThat(authorizations).isNotEmpty().allMatch("Bearer tok-123"::equals);
        assertThat(bearer.toString()).doesNotContain("tok-123");
    }

    @Test
    void anonymousSendsNothing() {
        assertThatThrownBy(() -> RemoteRefs.list(url(), Duration.ofSeconds(10), GitCredentials.NONE))
                .isInstanceOf(GitException.class);
        assertThat(authorizations).containsOnly("<none>");
        assertThat(GitCredentials.fromSecretData(null).present()).isFalse();
    }
}
