package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** kustomize's remote target syntax (the shapes of api/internal/git/repospec_test.go). */
class RemoteTargetTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "github.com/kubernetes-sigs/kustomize/examples/multibases/dev?ref=v1.0.6|https://github.com/kubernetes-sigs/kustomize|examples/multibases/dev|v1.0.6",
      "https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/?submodules=0&ref=kustomize%2Fv4.5.7&timeout=300|https://github.com/kubernetes-sigs/kustomize|examples/multibases/dev/|kustomize/v4.5.7",
      "https://github.com/kubernetes-sigs/kustomize.git//examples/multibases/dev/?ref=x|https://github.com/kubernetes-sigs/kustomize.git|examples/multibases/dev/|x",
      "git::https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/|https://github.com/kubernetes-sigs/kustomize|examples/multibases/dev/|",
      "git@github.com:kubernetes-sigs/kustomize/examples/multibases/dev?ref=a|git@github.com:kubernetes-sigs/kustomize|examples/multibases/dev|a",
      "git@github.com/kubernetes-sigs/kustomize/examples/multibases/dev|git@github.com:kubernetes-sigs/kustomize|examples/multibases/dev|",
      "ssh://git@github.com/kubernetes-sigs/kustomize/examples|git@github.com:kubernetes-sigs/kustomize|examples|",
      "https://dev.azure.com/org/project/_git/repo/path/to?version=main|https://dev.azure.com/org/project/_git/repo|path/to|main",
      "https://gitlab.example.com/group/repo.git/deploy/base|https://gitlab.example.com/group/repo.git|deploy/base|",
      "file:///srv/repos/simple.git?ref=change-image|file:///srv/repos/simple.git||change-image",
      "file:///srv/repos/multibase//dev|file:///srv/repos/multibase|dev|",
      "ssh://git@example.com:2222/org/repo//deploy|ssh://git@example.com:2222/org/repo|deploy|"})
  void parsesKustomizesShapes(String raw, String cloneUrl, String path, String ref) {
    RemoteTarget t = RemoteTarget.parseOrThrow(raw);
    assertThat(t.cloneUrl()).isEqualTo(cloneUrl);
    assertThat(t.path()).isEqualTo(path == null ? "" : path);
    assertThat(t.ref()).isEqualTo(ref == null ? "" : ref);
    assertThat(RemoteTarget.looksRemote(raw)).isTrue();
  }

  @Test
  void queryOptionsFollowKustomizesDefaults() {
    RemoteTarget t = RemoteTarget.parseOrThrow("github.com/org/repo?timeout=500&submodules=false");
    assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(500));
    assertThat(t.submodules()).isFalse();
    RemoteTarget d = RemoteTarget.parseOrThrow("github.com/org/repo?timeout=2m&submodules=maybe");
    assertThat(d.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(d.submodules()).isTrue();
    assertThat(RemoteTarget.parseOrThrow("github.com/org/repo?timeout=-3").timeout())
        .isEqualTo(RemoteTarget.DEFAULT_TIMEOUT);
    assertThat(RemoteTarget.parseOrThrow("github.com/org/repo?ref=a&version=b").ref()).isEqualTo("a");
  }

  @Test
  void refusesWhatKustomizeRefuses() {
    assertThatThrownBy(() -> RemoteTarget.parseOrThrow("github.com/org/repo/../../etc"))
        .hasMessageContaining("url path exits repo");
    assertThatThrownBy(() -> RemoteTarget.parseOrThrow("ftp://example.com/org/repo"))
        .hasMessageContaining("failed to parse scheme");
    assertThatThrownBy(() -> RemoteTarget.parseOrThrow("example.com/org/repo"))
        .hasMessageContaining("failed to parse scheme");
    assertThatThrownBy(() -> RemoteTarget.parseOrThrow("https://example.com/org"))
        .hasMessageContaining("failed to parse repo path segment");
    assertThat(RemoteTarget.looksRemote("../base")).isFalse();
    assertThat(RemoteTarget.looksRemote("base/deployment.yaml")).isFalse();
  }
}
