package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.git.testing.LocalHttpGitServer;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitRepository sources over smart HTTP with basic authentication, against a real Git HTTP server on loopback. */
class HttpTransportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectKey OWNER = new ObjectKey("GitRepository", "default", "app");

    @TempDir
    Path tmp;

    private LocalHttpGitServer server;
    private Map<String, String> shas;

    @BeforeEach
    void start() throws Exception {
        shas = TaggedRepository.create(tmp.resolve("repos/acme/app"));
        server = LocalHttpGitServer.start(tmp.resolve("repos"), "flux", "s3cret");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void rightCredentialsResolveSemverAndFetch() throws Exception {
        GitCredentials basic = new GitCredentials("flux", "s3cret", null);
        RemoteRefs refs = RemoteRefs.list(server.url("acme/app"), TIMEOUT, basic);
        Revision revision = SemverRefs.resolve(refs, ">=1.0.0 <2.0.0");
        assertThat(revision).isEqualTo(new Revision("v1.1.0", shas.get("v1.1.0")));
        assertThat(revision.toString()).matches("v1\\.1\\.0@sha1:[0-9a-f]{40}");

        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), TIMEOUT, 10L << 20);
        Path target = Files.createDirectories(tmp.resolve("out"));
        assertThat(mirror.checkout(OWNER, server.url("acme/app"), revision, target, basic, null)).isEqualTo(1);
        assertThat(Files.readString(target.resolve("deploy/version.yaml"))).isEqualTo("version: v1.1.0\n");
    }

    /** The credentials are asked for when the mirror has to fetch, once per fetch; a mirrored commit is read without. */
    @Test
    void credentialsAreAskedForOnlyWhenTheMirrorFetches() throws Exception {
        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), TIMEOUT, 10L << 20);
        Revision main = new Revision("main", shas.get("main"));
        AtomicInteger asked = new AtomicInteger();
        Supplier<GitCredentials> secret = () -> {
            asked.incrementAndGet();
            return new GitCredentials("flux", "s3cret", null);
        };
        assertThat(mirror.checkout(OWNER, server.url("acme/app"), main, Files.createDirectories(tmp.resolve("first")),
                secret, null)).isEqualTo(1);
        assertThat(asked).hasValue(1);

        Supplier<GitCredentials> unreadable = () -> {
            throw new GitException("failed to get secret 'default/auth': not found");
        };
        Path again = Files.createDirectories(tmp.resolve("again"));
        assertThat(mirror.checkout(OWNER, server.url("acme/app"), main, again, unreadable, null)).isEqualTo(1);
        assertThat(Files.readString(again.resolve("deploy/version.yaml"))).isEqualTo(
                Files.readString(tmp.resolve("first/deploy/version.yaml")));

        Revision absent = new Revision("main", "0".repeat(40));
        assertThatThrownBy(() -> mirror.checkout(OWNER, server.url("acme/app"), absent,
                Files.createDirectories(tmp.resolve("absent")), unreadable, null))
                .isInstanceOf(GitException.class)
                .hasMessage("failed to get secret 'default/auth': not found");
    }

    @Test
    void wrongCredentialsAreRefusedWithNotAuthorized() {
        GitCredentials wrong = new GitCredentials("flux", "guess", null);
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT, wrong))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("ls-remote " + server.url("acme/app") + " failed")
                .hasMessageContaining("not authorized");
        String sent = "Basic " + Base64.getEncoder().encodeToString("flux:guess".getBytes(StandardCharsets.UTF_8));
        assertThat(server.rejected()).contains(sent);
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT, GitCredentials.NONE))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("Authentication is required");
    }

    @Test
    void fetchLargerThanTheSizeBoundFails() throws Exception {
        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), TIMEOUT, 1024);
        Path target = Files.createDirectories(tmp.resolve("out"));
        GitCredentials basic = new GitCredentials("flux", "s3cret", null);
        assertThatThrownBy(() -> mirror.checkout(OWNER, server.url("acme/app"), new Revision("main", shas.get("main")), target, basic, null))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("exceeded the size limit of 1024 bytes (conflux.git.max-fetch-size)");
    }

    /**
     * GitRepository {@code spec.timeout}: a host that accepts the connection and never answers fails the
     * {@code ls-remote} and the fetch with an error instead of holding the caller (the bound under test is 2 s; the
     * preemptive 60 s only stops a hang from blocking the build).
     */
    @Test
    void aHostThatNeverAnswersFailsWithinTheTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // read nothing, answer nothing
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/acme/app";
            Duration bound = Duration.ofSeconds(2);
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                assertThatThrownBy(() -> RemoteRefs.list(url, bound, GitCredentials.NONE))
                        .isInstanceOf(GitException.class).hasMessageContaining("ls-remote " + url + " failed")
                        .hasMessageContaining("time out"); // JGit: "Connection time out"
                GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), bound, 10L << 20);
                assertThatThrownBy(() -> mirror.checkout(OWNER, url, new Revision("main", shas.get("main")),
                        Files.createDirectories(tmp.resolve("out")), GitCredentials.NONE, null))
                        .isInstanceOf(GitException.class).hasMessageContaining("fetch " + url + " failed");
            });
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }
}
