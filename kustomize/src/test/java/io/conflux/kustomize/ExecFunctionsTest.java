package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec KRM functions ({@code config.kubernetes.io/function: {exec: {path: …}}} in {@code generators} and
 * {@code transformers}) run only with {@link Kustomizer#withExecFunctions}; {@link Kustomizer#create()} — what the
 * renderer builds with, as Flux's kustomize-controller builds with kustomize's plugins disabled — refuses them
 * without starting the program. The ResourceList protocol (kyaml fn/framework) is checked with a function that
 * transforms its input: a shell script using {@code sed} on the ResourceList it reads from standard input.
 */
class ExecFunctionsTest {
  private static final ExecFunctions EXEC = ExecFunctions.enabled(Duration.ofSeconds(30));

  @TempDir
  Path dir;

  private Path write(String path, String content) throws IOException {
    Path p = dir.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  private void script(String path, String body) throws IOException {
    assertThat(write(path, "#!/bin/sh\n" + body).toFile().setExecutable(true)).isTrue();
  }

  private void function(String kustomizationField, String script) throws IOException {
    write("fn.yaml", "apiVersion: example.com/v1\nkind: Fn\nmetadata:\n  name: f\n  annotations:\n"
        + "    config.kubernetes.io/function: |\n      exec:\n        path: ./" + script + "\nspec:\n  value: v2\n");
    write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  key: v1\n");
    write("kustomization.yaml", "resources: [cm.yaml]\n" + kustomizationField + ":\n- fn.yaml\n");
  }

  @Test
  void theRendererKustomizerNeverStartsAnExecFunction() throws IOException {
    Path marker = dir.resolve("ran");
    script("fn.sh", "touch '" + marker + "'\ncat\n");
    function("transformers", "fn.sh");

    assertThatThrownBy(() -> Kustomizer.create().build(dir))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("kustomization.yaml: function example.com/v1/Fn f: exec functions are not enabled");
    assertThat(marker).doesNotExist();
  }

  @Test
  void aTransformerReadsTheResourceListOnStdinAndItsOutputReplacesTheResources() throws IOException {
    // the function edits the items of the ResourceList it reads on stdin and prints the ResourceList back
    script("fn.sh", "sed -e 's/key: v1/key: v2/'\n");
    function("transformers", "fn.sh");

    String out = Kustomizer.create().withExecFunctions(EXEC).build(dir).toYaml();

    assertThat(out).isEqualTo("apiVersion: v1\ndata:\n  key: v2\nkind: ConfigMap\nmetadata:\n  name: cm\n");
  }

  @Test
  void aGeneratorAddsWhatItPrintsAndItsConfigIsNotOutput() throws IOException {
    script("gen.sh", "cat >/dev/null\nprintf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: s\\n'\n");
    function("generators", "gen.sh");

    String out = Kustomizer.create().withExecFunctions(EXEC).build(dir).toYaml();

    assertThat(out).isEqualTo("apiVersion: v1\ndata:\n  key: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\n"
        + "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
  }

  @Test
  void aFailingFunctionFailsTheBuildWithItsStandardError() throws IOException {
    script("fn.sh", "echo 'no such widget' >&2\nexit 3\n");
    function("transformers", "fn.sh");

    assertThatThrownBy(() -> Kustomizer.create().withExecFunctions(EXEC).build(dir))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("fn.sh: exit status 3: no such widget");
  }

  @Test
  void containerFunctionsAreRefusedEvenWithExecEnabled() throws IOException {
    write("fn.yaml", "apiVersion: example.com/v1\nkind: Fn\nmetadata:\n  name: f\n  annotations:\n"
        + "    config.kubernetes.io/function: |\n      container:\n        image: example.com/fn:1\n");
    write("kustomization.yaml", "transformers:\n- fn.yaml\n");

    assertThatThrownBy(() -> Kustomizer.create().withExecFunctions(EXEC).build(dir))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("container functions are not supported");
  }
}
