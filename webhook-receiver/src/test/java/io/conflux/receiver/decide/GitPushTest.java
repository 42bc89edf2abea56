package io.conflux.receiver.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.model.source.GitRepositoryRef;
import io.conflux.model.source.Revision;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GitPushTest {
    private static final String BEFORE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String AFTER = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    private static byte[] push(String ref, String after) {
        return ("{\"ref\":\"" + ref + "\",\"before\":\"" + BEFORE + "\",\"after\":\"" + after + "\","
                + "\"repository\":{\"full_name\":\"acme/infra\",\"clone_url\":\"https://github.com/acme/infra.git\","
                + "\"html_url\":\"https://github.com/acme/infra\",\"ssh_url\":\"git@github.com:acme/infra.git\"},\"pusher\":{\"name\":\"dev\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void branchPushGivesFluxRevision() {
        GitPush p = GitPush.parse(push("refs/heads/main", AFTER));
        assertThat(p.branch()).isEqualTo("main");
        assertThat(p.before()).isEqualTo(BEFORE);
        assertThat(p.branchRevision()).isEqualTo(new Revision("main", AFTER));
        assertThat(p.branchRevision()).hasToString("main@sha1:" + AFTER);
        assertThat(GitPush.parse(push("refs/heads/feature/x", AFTER)).branch()).isEqualTo("feature/x");
    }

    @Test
    void concernsOnlyThePushedRepository() {
        GitPush p = GitPush.parse(push("refs/heads/main", AFTER));
        assertThat(p.repositories()).isNotEmpty();
        assertThat(p.concerns("https://github.com/acme/infra.git")).isTrue();
        assertThat(p.concerns("https://github.com/Acme/infra")).isTrue();
        assertThat(p.concerns("ssh://git@github.com/acme/infra.git")).isTrue();
        assertThat(p.concerns("git@github.com:acme/infra.git")).isTrue();
        assertThat(p.concerns("https://github.com/acme/apps.git")).isFalse();
        assertThat(p.concerns("https://gitlab.com/acme/infra.git")).isFalse();
        // a payload that names no repository is trusted for none
        GitPush anonymous = GitPush.parse(("{\"ref\":\"refs/heads/main\",\"after\":\"" + AFTER + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(anonymous.concerns("https://github.com/acme/infra.git")).isFalse();
        assertThat(GitPush.normalize("ssh://git@gitlab.example.com:2222/group/sub/project.git/"))
                .isEqualTo("gitlab.example.com/group/sub/project");
    }

    @Test
    void tagPushesAndDeletionsAreNotBranchRevisions() {
        assertThat(GitPush.parse(push("refs/tags/v1.0.0", AFTER)).branchRevision()).isNull();
        GitPush deleted = GitPush.parse(push("refs/heads/main", "0".repeat(40)));
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.branchRevision()).isNull();
    }

    @Test
    void malformedJsonIsRefused() {
        assertThatThrownBy(() -> GitPush.parse("{\"ref\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(GitPush.MalformedPayload.class);
        assertThatThrownBy(() -> GitPush.parse("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(GitPush.MalformedPayload.class);
        assertThatThrownBy(() -> GitPush.parse(new byte[0])).isInstanceOf(GitPush.MalformedPayload.class);
    }

    @Test
    void branchMatchingFollowsFluxRefPrecedence() {
        assertThat(ResourceSelection.tracksBranch(GitRepositoryRef.branch("main"), "main")).isTrue();
        assertThat(ResourceSelection.tracksBranch(GitRepositoryRef.branch("main"), "dev")).isFalse();
        // no ref: Flux's default branch master
        assertThat(ResourceSelection.tracksBranch(null, "master")).isTrue();
        assertThat(ResourceSelection.tracksBranch(null, "main")).isFalse();
        // tag, semver, name and commit take precedence over branch
        assertThat(ResourceSelection.tracksBranch(new GitRepositoryRef("main", "v1.0.0", null, null, null), "main")).isFalse();
        assertThat(ResourceSelection.tracksBranch(new GitRepositoryRef("main", null, ">=1.0.0", null, null), "main")).isFalse();
        assertThat(ResourceSelection.tracksBranch(new GitRepositoryRef("main", null, null, null, AFTER), "main")).isFalse();
        assertThat(ResourceSelection.tracksBranch(GitRepositoryRef.branch("main"), null)).isFalse();
    }
}
