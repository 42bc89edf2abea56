package io.conflux.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.git.testing.LocalSshGitServer;
import io.conflux.git.testing.SshKeys;
import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitRepository sources over SSH against a real SSH Git server on loopback (Apache MINA SSHD + JGit UploadPack). */
class SshTransportTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectKey OWNER = new ObjectKey("GitRepository", "default", "app");

    @TempDir
    Path tmp;

    private final SshKeys client = SshKeys.generate();
    private LocalSshGitServer server;
    private Map<String, String> shas;

    @BeforeEach
    void start() throws Exception {
        shas = TaggedRepository.create(tmp.resolve("repos/acme/app"));
        server = LocalSshGitServer.start(tmp.resolve("repos"), client.keyPair().getPublic());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private GitCredentials credentials(String identity, String password, String knownHosts) {
        return new GitCredentials(null, password, null, identity, knownHosts);
    }

    private GitCredentials good() {
        return credentials(client.privateKey(), null, server.knownHosts());
    }

    @Test
    void resolvesSemverTagBranchAndCommitWithTheKeyAndKnownHosts() {
        RemoteRefs refs = RemoteRefs.list(server.url("acme/app"), TIMEOUT, good());

        Revision semver = SemverRefs.resolve(refs, ">=1.0.0 <2.0.0");
        assertThat(semver).isEqualTo(new Revision("v1.1.0", shas.get("v1.1.0")));
        assertThat(semver.toString()).matches("v1\\.1\\.0@sha1:[0-9a-f]{40}");
        assertThat(refs.resolve(new GitRepositoryRef(null, "v1.0.0", null, null, null)))
                .isEqualTo(new Revision("v1.0.0", shas.get("v1.0.0")));
        assertThat(refs.resolve(GitRepositoryRef.branch("main"))).isEqualTo(new Revision("main", shas.get("main")));
        assertThat(refs.resolve(new GitRepositoryRef("main", null, null, null, shas.get("v1.0.0"))))
                .isEqualTo(new Revision("main", shas.get("v1.0.0")));
        assertThat(server.users()).isNotEmpty().containsOnly("git");
    }

    @Test
    void mirrorFetchesOverSshAndReadsTheRevision() throws Exception {
        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), TIMEOUT, 10L << 20);
        Path target = Files.createDirectories(tmp.resolve("out"));
        int files = mirror.checkout(OWNER, server.url("acme/app"), new Revision("v1.1.0", shas.get("v1.1.0")), target, good(), null);
        assertThat(files).isEqualTo(1);
        assertThat(Files.readString(target.resolve("deploy/version.yaml"))).isEqualTo("version: v1.1.0\n");
    }

    @Test
    void urlWithoutUserConnectsAsGitLikeFlux() {
        String url = "ssh://127.0.0.1:" + server.port() + "/acme/app";
        assertThat(RemoteRefs.list(url, TIMEOUT, good()).refs()).containsKey("refs/tags/v1.1.0");
        assertThat(server.users()).containsOnly("git");
    }

    @Test
    void passphraseProtectedKeyNeedsThePassword() {
        String encrypted = client.privateKey("correct horse");
        assertThat(RemoteRefs.list(server.url("acme/app"), TIMEOUT,
                credentials(encrypted, "correct horse", server.knownHosts())).refs()).containsKey("refs/heads/main");
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT,
                credentials(encrypted, null, server.knownHosts())))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining("cannot read the private key in 'identity'");
    }

    @Test
    void ed25519KeysWork() throws Exception {
        SshKeys ed25519 = SshKeys.generateEd25519();
        assertThat(ed25519.publicKey()).startsWith("ssh-ed25519 ");
        try (LocalSshGitServer edServer = LocalSshGitServer.start(tmp.resolve("repos"), ed25519.keyPair().getPublic())) {
            GitCredentials credentials = credentials(ed25519.privateKey(), null, edServer.knownHosts());
            assertThat(RemoteRefs.list(edServer.url("acme/app"), TIMEOUT, credentials).refs())
                    .containsEntry("refs/heads/main", shas.get("main"));
        }
    }

    @Test
    void hashedKnownHostsEntriesMatch() throws Exception {
        // ssh-keyscan -H / HashKnownHosts: |1|base64(salt)|base64(HMAC-SHA1(salt, "[host]:port"))
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(("[127.0.0.1]:" + server.port()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        String hashed = "|1|" + b64.encodeToString(salt) + "|" + b64.encodeToString(hash) + " "
                + server.hostKeys().publicKey() + "\n";
        assertThat(RemoteRefs.list(server.url("acme/app"), TIMEOUT, credentials(client.privateKey(), null,
                "# comment\n" + hashed)).refs()).containsKey("refs/tags/v2.0.0-rc.1");
    }

    @Test
    void mismatchedHostKeyIsRefused() {
        String otherKey = SshKeys.generate().knownHostsLine("127.0.0.1", server.port());
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT,
                credentials(client.privateKey(), null, otherKey)))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("host key verification failed")
                .hasMessageContaining("does not match known_hosts")
                .hasMessageContaining("[127.0.0.1]:" + server.port());
        assertThat(server.users()).isEmpty();
    }

    @Test
    void hostMissingFromKnownHostsIsRefusedNotAdded() {
        String otherHost = server.hostKeys().knownHostsLine("git.example.com", 22);
        GitCredentials credentials = credentials(client.privateKey(), null, otherHost);
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT, credentials))
                    .isInstanceOf(GitException.class)
                    .hasMessageContaining("is not in known_hosts");
        }
        assertThat(server.users()).isEmpty();
    }

    @Test
    void unknownClientKeyIsRefused() {
        GitCredentials stranger = credentials(SshKeys.generate().privateKey(), null, server.knownHosts());
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT, stranger))
                .isInstanceOf(GitException.class)
                .isNotInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining("ls-remote " + server.url("acme/app") + " failed")
                .hasMessageContaining("server refused");
        assertThat(server.users()).isEmpty();
    }

    @Test
    void sshNeedsIdentityAndKnownHostsAlsoForScpLikeUrls() {
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT, GitCredentials.NONE))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining("'identity' is required");
        // scp-like syntax selects the SSH transport too (nothing is contacted: the Secret is checked first)
        assertThatThrownBy(() -> RemoteRefs.list("git@127.0.0.1:acme/app", TIMEOUT,
                credentials(client.privateKey(), null, null)))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining("'known_hosts' is required");
        assertThatThrownBy(() -> RemoteRefs.list(server.url("acme/app"), TIMEOUT,
                credentials("not a key", null, server.knownHosts())))
                .isInstanceOf(GitAuthenticationException.class)
                .hasMessageContaining("identity");
    }

    @Test
    void fetchLargerThanTheSizeBoundFails() throws Exception {
        GitMirror mirror = new GitMirror(tmp.resolve("mirrors"), GitUrlRewriter.none(), TIMEOUT, 512);
        Path target = Files.createDirectories(tmp.resolve("out"));
        assertThatThrownBy(() -> mirror.checkout(OWNER, server.url("acme/app"), new Revision("main", shas.get("main")), target, good(), null))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("exceeded the size limit of 512 bytes (conflux.git.max-fetch-size)");
    }
}
