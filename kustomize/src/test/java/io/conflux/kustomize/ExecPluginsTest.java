package io.conflux.kustomize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kustomize's legacy exec plugins ({@code kustomize build --enable-alpha-plugins}): a non-builtin
 * {@code generators}/{@code transformers} entry runs {@code <plugin home>/<group>/<version>/<lowercase kind>/<Kind>}
 * only with {@link Kustomizer#withExecPlugins}; the renderer's {@link Kustomizer#create()} refuses it with kustomize's
 * "external plugins disabled" error without starting it. The plugin home is found as kustomize's
 * DefaultAbsPluginHome finds it. (The transformer protocol is also covered by the krusty case
 * {@code transformerplugin__TestSedTransformer}.)
 */
class ExecPluginsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private Path write(String path, String content) throws IOException {
    Path p = dir.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  private void plugin(String kind, String body) throws IOException {
    Path p = write("home/example.com/v1/" + kind.toLowerCase(java.util.Locale.ROOT) + "/" + kind, "#!/bin/sh\n" + body);
    assertThat(p.toFile().setExecutable(true)).isTrue();
  }

  @Test
  void withoutThePermissionAPluginIsRefusedAndNeverStarted() throws IOException {
    Path marker = dir.resolve("ran");
    plugin("Gen", "touch '" + marker + "'\n");
    write("app/gen.yaml", "apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\n");
    write("app/kustomization.yaml", "generators:\n- gen.yaml\n");

    assertThatThrownBy(() -> Kustomizer.create().build(dir.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("external plugins disabled; unable to load external plugin 'Gen'");
    assertThat(marker).doesNotExist();
  }

  @Test
  void aGeneratorGetsItsConfigFileAndEnvironmentAndItsHashAnnotationIsHonoured() throws IOException {
    // prints its first argument's content (the config) as data, and asks for the hash suffix
    plugin("Gen", "set -e\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: gen\\n  annotations:\\n"
        + "    kustomize.config.k8s.io/needs-hash: \"true\"\\ndata:\\n  word: %s\\n  root: %s\\n  args: \"%s\"\\n'"
        + " \"$(sed -n 's/^word: //p' \"$1\")\" \"$KUSTOMIZE_PLUGIN_CONFIG_ROOT\" \"$2 $3\"\n");
    write("app/gen.yaml", "apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\nword: hello\n"
        + "argsOneLiner: one 'two words'\n");
    write("app/kustomization.yaml", "generators:\n- gen.yaml\n");

    ResourceList built = Kustomizer.create()
        .withExecPlugins(ExecPlugins.enabled(dir.resolve("home"), TIMEOUT)).build(dir.resolve("app"));

    assertThat(built.objects()).hasSize(1);
    Map<?, ?> meta = (Map<?, ?>) built.objects().get(0).get("metadata");
    assertThat((String) meta.get("name")).matches("gen-[a-z0-9]{10}");
    assertThat(meta.get("annotations")).isNull();
    assertThat(built.objects().get(0).get("data")).isEqualTo(Map.of("word", "hello",
        "root", dir.resolve("app").toString(), "args", "one two words"));
  }

  @Test
  void aTransformersOutputReplacesKeepsAndDropsResourcesByTheirIds() throws IOException {
    // drops cm-b, edits cm-a, adds cm-c: the kept resource is the one whose current id matches
    plugin("Edit", "sed -e 's/v: one/v: two/' -e 's/name: cm-b/name: cm-c/'\n");
    write("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-a\ndata:\n  v: one\n---\n"
        + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-b\n");
    write("app/edit.yaml", "apiVersion: example.com/v1\nkind: Edit\nmetadata:\n  name: e\n");
    write("app/kustomization.yaml", "resources:\n- cm.yaml\ntransformers:\n- edit.yaml\n");

    String out = Kustomizer.create().withExecPlugins(ExecPlugins.enabled(dir.resolve("home"), TIMEOUT))
        .build(dir.resolve("app")).toYaml();

    assertThat(out).isEqualTo("apiVersion: v1\ndata:\n  v: two\nkind: ConfigMap\nmetadata:\n  name: cm-a\n---\n"
        + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-c\n");
  }

  @Test
  void aValidatorLeavesTheResourcesAndFailsWhenItPrintsOneBackOrExitsNonZero() throws IOException {
    // kubectl kustomize v1.35: printing nothing or only objects of other ids passes with the resources unchanged;
    // printing a resource back (even unchanged) fails, as kustomize compares the read-back node; a failure fails
    write("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  foo: bar\n");
    write("app/v.yaml", "apiVersion: example.com/v1\nkind: Check\nmetadata:\n  name: v\n");
    write("app/kustomization.yaml", "resources:\n- cm.yaml\nvalidators:\n- v.yaml\n");
    Kustomizer k = Kustomizer.create().withExecPlugins(ExecPlugins.enabled(dir.resolve("home"), TIMEOUT));
    String unchanged = "apiVersion: v1\ndata:\n  foo: bar\nkind: ConfigMap\nmetadata:\n  name: cm\n";

    plugin("Check", "cat >/dev/null\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: other\\n'\n");
    assertThat(k.build(dir.resolve("app")).toYaml()).isEqualTo(unchanged);

    plugin("Check", "cat\n");
    assertThatThrownBy(() -> k.build(dir.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("validator shouldn't modify the resource map: nodes unequal");

    plugin("Check", "echo 'Validation failed' >&2\nexit 1\n");
    assertThatThrownBy(() -> k.build(dir.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("Validation failed");

    assertThatThrownBy(() -> Kustomizer.create().build(dir.resolve("app")))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("external plugins disabled; unable to load external plugin 'Check'");
  }

  @Test
  void thePluginHomeIsTheFirstExistingOfKustomizesPlaces() throws IOException {
    Path xdg = Files.createDirectories(dir.resolve("xdg/kustomize/plugin"));
    Path home = Files.createDirectories(dir.resolve("user/.config/kustomize/plugin"));

    assertThat(ExecPlugins.fromEnvironment(Map.of("KUSTOMIZE_PLUGIN_HOME", dir.resolve("missing").toString(),
        "XDG_CONFIG_HOME", dir.resolve("xdg").toString(), "HOME", dir.resolve("user").toString()), TIMEOUT)
        .programOf("example.com", "v1", "Gen")).isEqualTo(xdg.resolve("example.com/v1/gen/Gen"));
    assertThat(ExecPlugins.fromEnvironment(Map.of("HOME", dir.resolve("user").toString()), TIMEOUT)
        .programOf("", "v1", "Gen")).isEqualTo(home.resolve("v1/gen/Gen"));
    assertThatThrownBy(() -> ExecPlugins.fromEnvironment(Map.of("HOME", dir.resolve("nobody").toString()), TIMEOUT)
        .programOf("example.com", "v1", "Gen"))
        .isInstanceOf(KustomizeException.class)
        .hasMessageContaining("unable to find plugin root")
        .hasMessageContaining("$KUSTOMIZE_PLUGIN_HOME");
  }
}
