package io.conflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.conflux.cli.TestCluster.Run;
import io.conflux.cli.bootstrap.DeployKey;
import io.conflux.git.GitCredentials;
import io.conflux.git.RemoteRefs;
import io.conflux.git.testing.LocalSshGitServer;
import io.conflux.git.testing.SshKeys;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conflux bootstrap git} against an in-memory cluster and the git module's SSH server: the Secret it writes is
 * in Flux's format and opens the repository through the git module's SSH authentication, as the flux-system
 * GitRepository's {@code secretRef} will.
 */
class BootstrapCommandTest {
    @TempDir
    static Path dir;
    static TestCluster cluster;
    static LocalSshGitServer server;
    static SshKeys deployKey = SshKeys.generate();

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir);
        Path repo = Files.createDirectories(dir.resolve("repos/acme/fleet"));
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("README.md"), "fleet\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("init").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
        server = LocalSshGitServer.start(dir.resolve("repos"), deployKey.keyPair().getPublic());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        cluster.close();
    }

    private static Map<String, byte[]> data(Secret secret) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        secret.getData().forEach((k, v) -> out.put(k, Base64.getDecoder().decode(v)));
        return out;
    }

    @Test
    void createsFluxsSecretGitRepositoryAndKustomizationAndTheSecretOpensTheRepository() throws Exception {
        Path keyFile = dir.resolve("identity");
        Files.writeString(keyFile, deployKey.privateKey());
        String url = server.url("acme/fleet");

        Run run = cluster.conflux("bootstrap", "git", "--url", url, "--branch", "main", "--path", "clusters/edge",
                "--private-key-file", keyFile.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("✔ Secret flux-system/flux-system applied").doesNotContain("deploy key:");

        Secret secret = cluster.client.secrets().inNamespace("flux-system").withName("flux-system").get();
        Map<String, byte[]> data = data(secret);
        assertThat(data).containsOnlyKeys("identity", "identity.pub", "known_hosts");
        assertThat(new String(data.get("identity.pub")).trim()).isEqualTo(deployKey.publicKey());
        assertThat(new String(data.get("known_hosts"))).isEqualTo(server.knownHosts());
        RemoteRefs refs = RemoteRefs.list(url, Duration.ofSeconds(30), GitCredentials.fromSecretData(data));
        assertThat(refs.refs()).containsKey("refs/heads/main");

        JsonNode repository = cluster.read(FluxObjectKind.GIT_REPOSITORY, "flux-system", "flux-system");
        assertThat(repository.at("/spec/url").asText()).isEqualTo(url);
        assertThat(repository.at("/spec/ref/branch").asText()).isEqualTo("main");
        assertThat(repository.at("/spec/secretRef/name").asText()).isEqualTo("flux-system");
        assertThat(repository.at("/spec/interval").asText()).isEqualTo("1m0s");
        JsonNode kustomization = cluster.read(FluxObjectKind.KUSTOMIZATION, "flux-system", "flux-system");
        assertThat(kustomization.at("/spec/path").asText()).isEqualTo("./clusters/edge");
        assertThat(kustomization.at("/spec/prune").asBoolean()).isTrue();
        assertThat(kustomization.at("/spec/sourceRef/kind").asText()).isEqualTo("GitRepository");
        assertThat(kustomization.at("/spec/interval").asText()).isEqualTo("10m0s");
    }

    @Test
    void generatesAnEd25519DeployKeyAndPrintsItsPublicKey() throws Exception {
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, server.knownHosts());

        Run run = cluster.conflux("bootstrap", "git", "--url", "ssh://git@git.example.com/acme/other", "--path",
                "./clusters/hub", "--ssh-key-algorithm", "ed25519", "--known-hosts-file", knownHosts.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();

        Map<String, byte[]> data = data(cluster.client.secrets().inNamespace("flux-system").withName("flux-system").get());
        String publicKey = new String(data.get("identity.pub")).trim();
        assertThat(publicKey).startsWith("ssh-ed25519 ");
        assertThat(run.out()).contains("deploy key: " + publicKey);
        assertThat(DeployKey.read(new String(data.get("identity")), "identity").publicKey()).isEqualTo(publicKey);
        assertThat(DeployKey.generate(DeployKey.Algorithm.ECDSA).publicKey()).startsWith("ecdsa-sha2-nistp384 ");
    }
}
