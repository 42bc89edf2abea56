package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile YAML in a kustomization's files (issue #11, defect 3): alias bombs, deep nesting and self-containing
 * anchors fail with an error naming the file and the bound, as kubectl kustomize does ("excessive aliasing"), never
 * with a {@link StackOverflowError} or by running out of memory; what real files do with anchors still builds.
 */
class HostileYamlTest {
  private FileSystem fs;
  private Path root;

  /** The 9×9 "billion laughs": nine anchors, each a list of nine aliases of the previous one (9^9 leaves). */
  static String aliasBomb(String indent) {
    StringBuilder b = new StringBuilder(indent).append("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'i'; c++) {
      b.append(indent).append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        b.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
      }
      b.append("]\n");
    }
    return b.toString();
  }

  /** A flow sequence nested {@code depth} levels deep. */
  static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    root = fs.getPath("/repo");
    Files.createDirectories(root);
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  private void write(String path, String content) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void aliasBombInKustomizationYamlIsExcessiveAliasingNamingTheFile() throws IOException {
    write("kustomization.yaml", "resources: []\n" + aliasBomb(""));
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class)
        .hasMessageStartingWith("kustomization.yaml:")
        .hasMessageContaining("excessive aliasing");
  }

  @Test
  void aliasBombInAResourceIsExcessiveAliasingNamingTheFileAndLine() throws IOException {
    write("kustomization.yaml", "resources:\n- bomb.yaml\n");
    write("bomb.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\nx:\n" + aliasBomb("  "));
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class)
        .hasMessageMatching("bomb\\.yaml:\\d+:\\d+: excessive aliasing.*")
        .satisfies(e -> assertThat(((KustomizeException) e).file()).contains(root.resolve("bomb.yaml")));
  }

  @Test
  void tenThousandLevelsOfNestingNameTheFileNotAStackOverflow() throws IOException {
    write("kustomization.yaml", "resources:\n- deep.yaml\n");
    write("deep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nx: " + nested(10_000) + "\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class)
        .hasMessageMatching("deep\\.yaml:5:\\d+: nesting deeper than 500 levels")
        .satisfies(e -> assertThat(e).hasRootCauseInstanceOf(io.conflux.kustomize.yaml.YamlBoundException.class));
  }

  @Test
  void tenThousandLevelsOfNestingInKustomizationYamlNameTheFile() throws IOException {
    write("kustomization.yaml", "resources: " + nested(10_000) + "\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class)
        .hasMessageStartingWith("kustomization.yaml:1:")
        .hasMessageContaining("nesting deeper than 500 levels");
  }

  @Test
  void anAnchorContainingItselfIsRefused() throws IOException {
    write("kustomization.yaml", "resources:\n- loop.yaml\n");
    write("loop.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loop\nx: &x\n  y: *x\n");
    assertThatThrownBy(() -> Kustomizer.create().build(root))
        .isInstanceOf(KustomizeException.class)
        .hasMessageMatching("loop\\.yaml:6:\\d+: anchor 'x' value contains itself");
  }

  @Test
  void realUsesOfAnchorsAndNestingStillBuild() throws IOException {
    StringBuilder containers = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      containers.append("      - name: c").append(i).append("\n        resources: *res\n        env: *env\n");
    }
    write("kustomization.yaml", "resources:\n- web.yaml\n");
    write("web.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          annotations:
            deep: "%s"
        x-defaults:
          resources: &res {limits: {cpu: "1", memory: 1Gi}, requests: {cpu: 100m, memory: 128Mi}}
          env: &env [{name: A, value: "1"}, {name: B, value: "2"}, {name: C, value: "3"}]
        spec:
          template:
            spec:
              containers:
        %s        nested: %s
        """.formatted("x", containers, nested(400)));
    ResourceList result = Kustomizer.create().build(root);
    assertThat(result.objects()).hasSize(1);
  }

  @Test
  void anInterruptedThreadStopsReadingALargeFileButNotABuiltinOne() {
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      big.append("k").append(i).append(": v\n");
    }
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> io.conflux.kustomize.yaml.KYaml.parseDocuments(big.toString(), "big.yaml", null))
          .isInstanceOf(BuildCancelledException.class)
          .hasMessage("build cancelled: it ran out of time and was stopped at big.yaml");
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
      // kustomize's built-in configuration is read in a class initializer: never half-way
      assertThat(io.conflux.kustomize.yaml.KYaml.parseBuiltin(big.toString(), "defaults.yaml")).hasSize(1);
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void anInterruptedBuildStopsWithBuildCancelled() throws IOException {
    write("kustomization.yaml", "resources:\n- web.yaml\nnamePrefix: p-\n");
    write("web.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n");
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Kustomizer.create().build(root))
          .isInstanceOf(BuildCancelledException.class)
          .hasMessageContaining("build cancelled");
    } finally {
      Thread.interrupted();
    }
  }
}
