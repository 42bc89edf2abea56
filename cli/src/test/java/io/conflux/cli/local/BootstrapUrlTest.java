package io.conflux.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.git.GitRepositoryUrl;
import io.conflux.git.GitUrlRewriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conflux up --repo}: the bootstrap GitRepository always names a URL Flux's pattern accepts. */
class BootstrapUrlTest {
    @TempDir
    Path tmp;

    @Test
    void aLocalPathIsNamedUnderGitConfluxLocalAndRewrittenToItsDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("My_Repo.git"));
        for (String repo : new String[] {dir.toString(), dir.toUri().toString()}) {
            BootstrapUrl b = BootstrapUrl.of(repo);
            assertThat(b.url()).isEqualTo("https://git.conflux.local/my-repo");
            assertThat(b.name()).isEqualTo("my-repo");
            assertThat(GitRepositoryUrl.PATTERN.matcher(b.url()).matches()).isTrue();
            assertThat(new GitUrlRewriter(b.rewrites()).remote(b.url()))
                    .isEqualTo(dir.toUri().toString().replaceFirst("/$", ""));
        }
    }

    @Test
    void anScpLikeAddressBecomesAnSshUrlAndAnyOtherUrlStaysAsItIs() {
        BootstrapUrl ssh = BootstrapUrl.of("git@github.com:acme/fleet-infra.git");
        assertThat(ssh.url()).isEqualTo("ssh://git@github.com/acme/fleet-infra.git");
        assertThat(ssh.name()).isEqualTo("fleet-infra");
        assertThat(ssh.rewrites()).isEmpty();

        BootstrapUrl https = BootstrapUrl.of("https://github.com/acme/fleet-infra");
        assertThat(https).isEqualTo(new BootstrapUrl("https://github.com/acme/fleet-infra", "fleet-infra", Map.of()));
    }
}
